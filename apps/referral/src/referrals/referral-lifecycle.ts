import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, ReferralAction, ReferralData, ReferralStatus } from '@sc/contracts';
import { SERVICE_CONFIG } from '@sc/platform';
import type { ReferralConfig } from '../config';
import { ClinicalFactsRepository } from '../facts/clinical-facts.repository';
import { Notices } from '../notices/referral-notices';
import { referralClock, slaStepApplies, slaTimers } from './referral-clock';
import { ReferralEventsEmitter, type EventCause } from './referral-events.emitter';
import type { ReferralSpec } from './referral-sources';
import { ReferralRepository, type Referral } from './referral.repository';
import { planTransition, type Transition } from './referral-state-machine';
import { SKILL_OF, queueIdOf, requiredLanguage, teamFor } from './queue-routing';

export interface StepDetails {
  actorId: string;
  reason: string;
  note?: string | null;
  scheduledFor?: Date | null;
  orderReference?: string | null;
}

export const causeOf = (referral: Referral, causationId: string | null = null): EventCause => ({
  subject: referral.subject,
  correlationId: referral.correlationId,
  causationId,
});

/** Why a source may no longer become open work: the patient died or the hospital cancelled the episode. */
type Blocker = 'patient-deceased' | 'admission-cancelled' | 'discharge-cancelled';

/**
 * The writes every referral change is made of, in the caller's transaction: the row, a history
 * entry (who, why), the SLA timers, and the event on the outbox. Creation, nurse steps, timers and
 * cancellations from hospital events all go through here, so none of them can skip a part.
 */
@Injectable()
export class ReferralLifecycle {
  constructor(
    private readonly referrals: ReferralRepository,
    private readonly facts: ClinicalFactsRepository,
    private readonly events: ReferralEventsEmitter,
    @Inject(SERVICE_CONFIG) private readonly config: ReferralConfig,
  ) {}

  /**
   * Creates the referral a source asks for, unless that source already has one. Its clock starts at
   * the episode's discharge when known. A source that arrives after the patient died or the episode
   * was cancelled is kept (so a replay stays a duplicate) but cancelled at once, without notices.
   */
  async create(manager: EntityManager, spec: ReferralSpec, source: EventEnvelope): Promise<Referral | null> {
    const now = new Date();
    const { episode, patient } = await this.facts.episodeAndPatient(manager, source.correlationId, source.subject);
    const clock = referralClock({
      type: spec.type,
      clockStart: episode?.dischargedAt ?? new Date(source.occurredAt),
      now,
      windowHours: this.config.REFERRAL_WINDOW_HOURS,
      severity: spec.severity,
    });
    const teamId = spec.teamId ?? teamFor(source.correlationId, this.config.REFERRAL_FACILITY_TEAMS, this.config.REFERRAL_DEFAULT_TEAM);
    const skill = SKILL_OF[spec.type];
    const reason = `source-${spec.sourceKind}`;
    const referral = await this.referrals.insert(manager, {
      id: randomUUID(),
      type: spec.type,
      status: 'new',
      sourceKind: spec.sourceKind,
      sourceId: spec.sourceId,
      sourceKey: spec.sourceKey,
      sourceEventId: source.id,
      subject: source.subject,
      correlationId: source.correlationId,
      teamId,
      skill,
      queueId: queueIdOf(teamId, skill),
      language: requiredLanguage(patient?.language),
      priority: clock.priority,
      dueAt: clock.dueAt,
      item: spec.item,
      statusReason: reason,
    });
    if (!referral) {
      return null;
    }
    await this.referrals.addHistory(manager, {
      referralId: referral.id,
      action: 'create',
      fromStatus: null,
      toStatus: 'new',
      actorId: 'system',
      claimedBy: null,
      reason,
    });
    const cause = causeOf(referral, source.id);
    await this.events.emit(manager, cause, 'referral.created', this.eventData(referral, 'create', null, 'system', reason));
    const blocker: Blocker | null = patient?.deceasedAt
      ? 'patient-deceased'
      : episode?.admissionCancelledAt
        ? 'admission-cancelled'
        : episode?.dischargeCancelledAt
          ? 'discharge-cancelled'
          : null;
    if (blocker) {
      const { referral: cancelled } = await this.apply(manager, referral, planTransition(referral, 'cancel', { kind: 'system' }, now), { actorId: 'system', reason: blocker }, cause);
      return cancelled;
    }
    await this.referrals.scheduleTimers(manager, referral.id, slaTimers(now, clock.dueAt, this.config.REFERRAL_ESCALATION_LEAD_MINUTES));
    await this.events.notify(manager, cause, Notices.created(referral));
    return referral;
  }

  /** One planned step: the row, its history entry, the timers it ends, and `referral.status-changed`. */
  async apply(
    manager: EntityManager,
    referral: Referral,
    transition: Transition,
    details: StepDetails,
    cause: EventCause,
  ): Promise<{ referral: Referral; historyId: string }> {
    const updated = await this.referrals.applyTransition(manager, referral.id, transition, this.config.REFERRAL_LEASE_SECONDS, details);
    const historyId = await this.referrals.addHistory(manager, {
      referralId: referral.id,
      action: transition.action,
      fromStatus: transition.from,
      toStatus: transition.to,
      actorId: details.actorId,
      claimedBy: updated.claimedBy,
      reason: details.reason,
      note: details.note ?? null,
    });
    if (!slaStepApplies(updated.status)) {
      await this.referrals.clearTimers(manager, referral.id);
    }
    await this.events.emit(manager, cause, 'referral.status-changed', this.eventData(updated, transition.action, transition.from, details.actorId, details.reason));
    return { referral: updated, historyId };
  }

  /**
   * Cancels open referrals because of what happened to the patient or the episode (A13, A11, death,
   * a dismissed gap), telling whoever held each one, or its team when nobody did.
   */
  async withdraw(manager: EntityManager, open: Referral[], reason: string, causationId: string): Promise<string[]> {
    const now = new Date();
    for (const referral of open) {
      const cause = causeOf(referral, causationId);
      await this.apply(manager, referral, planTransition(referral, 'cancel', { kind: 'system' }, now), { actorId: 'system', reason }, cause);
      await this.events.notify(manager, cause, Notices.withdrawn(referral, referral.claimedBy, reason));
    }
    return open.map((referral) => referral.id);
  }

  /** The patient died: no referral of theirs is worked any more, and none is opened later. */
  async closeForDeath(manager: EntityManager, subject: string, diedAt: Date, causationId: string): Promise<string[]> {
    await this.facts.recordDeath(manager, subject, diedAt);
    return this.closeForRecordedDeath(manager, subject, causationId);
  }

  /** As {@link closeForDeath}, where the caller already recorded the death with the encounter's facts. */
  async closeForRecordedDeath(manager: EntityManager, subject: string, causationId: string): Promise<string[]> {
    return this.withdraw(manager, await this.referrals.lockOpenForSubject(manager, subject), 'patient-deceased', causationId);
  }

  eventData(referral: Referral, action: ReferralAction, previousStatus: ReferralStatus | null, actorId: string, reason: string | null): ReferralData {
    return {
      referralId: referral.id,
      referralType: referral.type,
      status: referral.status,
      previousStatus,
      action,
      queueId: referral.queueId,
      teamId: referral.teamId,
      priority: referral.priority,
      dueAt: referral.dueAt.toISOString(),
      claimedBy: referral.claimedBy,
      actorId,
      reason,
      source: { kind: referral.sourceKind, id: referral.sourceId },
      item: referral.item?.system === 'HCPCS' ? { system: 'HCPCS', code: referral.item.code } : null,
    };
  }
}
