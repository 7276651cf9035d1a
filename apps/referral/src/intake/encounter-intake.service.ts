import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EncounterEventData, EnvelopeOf, EventEnvelope } from '@sc/contracts';
import { languageCode } from '@sc/language';
import { UnprocessableEventError } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ClinicalFactsRepository } from '../facts/clinical-facts.repository';
import { ReferralLifecycle } from '../referrals/referral-lifecycle';
import { referralsFromDischarge, reportsDeath } from '../referrals/referral-sources';
import { ReferralRepository } from '../referrals/referral.repository';

/** The encounter events this service acts on. */
export type EncounterEvent = EnvelopeOf<
  | 'encounter.admitted'
  | 'encounter.transferred'
  | 'encounter.discharged'
  | 'encounter.updated'
  | 'encounter.admission-cancelled'
  | 'encounter.discharge-cancelled'
  | 'patient.merged'
>;

export type EncounterResult = 'recorded' | 'referrals-created' | 'withdrawn' | 'expired' | 'merged';

function clinicalTime(value: string | null, fallback: string): Date {
  const time = new Date(value ?? fallback);
  if (Number.isNaN(time.getTime())) {
    throw new UnprocessableEventError('EVENT_TIME_INVALID', 'encounter event has no valid clinical time');
  }
  return time;
}

/**
 * What hospital encounter events mean for referrals: the episode facts kept for clocks and
 * briefings, referrals a discharge calls for (home health), and the end of open work when the
 * hospital cancels a discharge (A13) or an admission (A11), or the patient dies. Each event is one
 * transaction with its inbox row.
 */
const dischargedAtOf = (event: { data: EncounterEventData; occurredAt: string }): Date => clinicalTime(event.data.visit.dischargedAt, event.occurredAt);

/**
 * When the event reports the patient's death: the death indicator on any encounter event, or a
 * discharge to an expired disposition; the time is the reported one, else the discharge's or the
 * event's. Recorded with the encounter's facts, in their statement.
 */
function deathOf(event: EventEnvelope<Exclude<EncounterEvent['type'], 'patient.merged'>>): Date | undefined {
  if (event.type === 'encounter.discharged') {
    return reportsDeath(event.data) ? clinicalTime(event.data.patient.deathAt, dischargedAtOf(event).toISOString()) : undefined;
  }
  const reportsDeathIndicator = event.type === 'encounter.admitted' || event.type === 'encounter.transferred' || event.type === 'encounter.updated';
  return reportsDeathIndicator && event.data.patient.deceased ? clinicalTime(event.data.patient.deathAt, event.occurredAt) : undefined;
}

@Injectable()
export class EncounterIntakeService {
  private readonly logger = createLogger(EncounterIntakeService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly facts: ClinicalFactsRepository,
    private readonly referrals: ReferralRepository,
    private readonly lifecycle: ReferralLifecycle,
  ) {}

  async handle(event: EncounterEvent): Promise<EncounterResult> {
    const result = await this.unitOfWork.run(async (manager): Promise<EncounterResult> => {
      if (event.type === 'patient.merged') {
        await this.facts.moveSubject(manager, event.data.priorSubject, event.subject);
        await this.referrals.moveSubject(manager, event.data.priorSubject, event.subject);
        return 'merged';
      }
      const diedAt = deathOf(event);
      await this.recordFacts(manager, event, diedAt);
      switch (event.type) {
        case 'encounter.discharged':
          return this.discharge(manager, event, diedAt);
        case 'encounter.discharge-cancelled':
          return this.cancel(manager, event, 'discharge');
        case 'encounter.admission-cancelled':
          return this.cancel(manager, event, 'admission');
        case 'encounter.admitted':
        case 'encounter.transferred':
        case 'encounter.updated':
          if (diedAt) {
            await this.lifecycle.closeForRecordedDeath(manager, event.subject, event.id);
            return 'expired';
          }
          return 'recorded';
      }
    });
    this.logger.debug({ result, eventType: event.type }, 'encounter event handled');
    return result;
  }

  private async recordFacts(manager: EntityManager, event: EventEnvelope<Exclude<EncounterEvent['type'], 'patient.merged'>>, diedAt: Date | undefined): Promise<void> {
    const data: EncounterEventData = event.data;
    await this.facts.recordEncounter(manager, {
      correlationId: event.correlationId,
      subject: event.subject,
      facility: data.visit.facility || data.sendingFacility,
      patientClass: data.visit.patientClass,
      admittedAt: data.visit.admittedAt ? clinicalTime(data.visit.admittedAt, event.occurredAt) : null,
      diagnoses: data.diagnoses,
      language: languageCode(data.patient.primaryLanguage),
      discharge: event.type === 'encounter.discharged' ? { at: dischargedAtOf(event), disposition: data.visit.dischargeDisposition } : undefined,
      diedAt,
    });
  }

  private async discharge(manager: EntityManager, event: EventEnvelope<'encounter.discharged'>, diedAt: Date | undefined): Promise<EncounterResult> {
    const dischargedAt = dischargedAtOf(event);
    if (diedAt) {
      await this.lifecycle.closeForRecordedDeath(manager, event.subject, event.id);
      return 'expired';
    }
    let created = 0;
    for (const spec of referralsFromDischarge(event.correlationId, dischargedAt, event.data)) {
      if (await this.lifecycle.create(manager, spec, event)) {
        created += 1;
      }
    }
    return created > 0 ? 'referrals-created' : 'recorded';
  }

  private async cancel(
    manager: EntityManager,
    event: EventEnvelope<'encounter.discharge-cancelled' | 'encounter.admission-cancelled'>,
    kind: 'discharge' | 'admission',
  ): Promise<EncounterResult> {
    await this.facts.recordCancellation(manager, event.correlationId, event.subject, kind, clinicalTime(null, event.occurredAt));
    const open = await this.referrals.lockOpenForEpisode(manager, event.correlationId);
    await this.lifecycle.withdraw(manager, open, kind === 'discharge' ? 'discharge-cancelled' : 'admission-cancelled', event.id);
    return open.length > 0 ? 'withdrawn' : 'recorded';
  }
}
