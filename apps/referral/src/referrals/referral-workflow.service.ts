import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { ReferralConfig } from '../config';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { Notices } from '../notices/referral-notices';
import { NurseRepository, actorOf, type Nurse } from '../nurses/nurse.repository';
import { ReferralEventsEmitter } from './referral-events.emitter';
import { ReferralLifecycle, causeOf, type StepDetails } from './referral-lifecycle';
import { ReferralRepository, type Referral } from './referral.repository';
import { checkRenewal, isLeased, planTransition, worksQueue, type Actor, type NurseActor, type StepAction } from './referral-state-machine';
import { SKILLS, queueIdOf } from './queue-routing';

export interface StepInput {
  actorId: string;
  reason?: string;
  note?: string;
}

/** Reason recorded when the caller gives none; steps that end or hand over work require one (see the DTOs). */
const DEFAULT_REASON: { readonly [A in StepAction]: string } = {
  claim: 'claimed',
  release: 'released',
  reassign: 'reassigned',
  start: 'work-started',
  schedule: 'scheduled',
  order: 'ordered',
  'send-briefing': 'briefing-sent',
  'acknowledge-briefing': 'specialist-acknowledged',
  complete: 'completed',
  decline: 'declined',
  cancel: 'cancelled',
  'expire-lease': 'lease-expired',
};

const nurseActor = (nurse: Nurse): NurseActor => ({
  kind: 'nurse',
  id: nurse.id,
  teamId: nurse.teamId,
  role: nurse.role,
  skills: nurse.skills,
  active: nurse.active,
});

/**
 * What nurses and supervisors do with referrals: take the next one from their queues, claim a
 * given one, renew, release or hand over the claim, and move it through the state machine. Each
 * call is one transaction; a refused step changes nothing and answers with a code.
 */
@Injectable()
export class ReferralWorkflowService {
  private readonly logger = createLogger(ReferralWorkflowService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly referrals: ReferralRepository,
    private readonly nurses: NurseRepository,
    private readonly lifecycle: ReferralLifecycle,
    private readonly events: ReferralEventsEmitter,
    @Inject(SERVICE_CONFIG) private readonly config: ReferralConfig,
  ) {}

  /**
   * The next referral of the nurse's queues (one queue if named), by priority then due time, in
   * the nurse's language or waiting past the language hold; null when there is none.
   */
  async claimNext(nurseId: string, queueId?: string): Promise<Referral | null> {
    return this.unitOfWork.run(async (manager) => {
      const nurse = await this.activeNurse(manager, nurseId);
      const skills = nurse.role === 'supervisor' ? SKILLS : nurse.skills;
      const queueIds = skills.map((skill) => queueIdOf(nurse.teamId, skill));
      if (queueId !== undefined && !queueIds.includes(queueId)) {
        throw new ReferralError(ReferralErrorCode.NotInQueue, 'the nurse does not work this queue');
      }
      const claimed = await this.referrals.claimNext(manager, {
        nurseId: nurse.id,
        queueIds: queueId !== undefined ? [queueId] : queueIds,
        languages: nurse.languages,
        languageHoldMinutes: this.config.REFERRAL_LANGUAGE_HOLD_MINUTES,
        leaseSeconds: this.config.REFERRAL_LEASE_SECONDS,
      });
      if (!claimed) {
        return null;
      }
      const { referral, previousStatus, previousClaimant } = claimed;
      const takeover = isLeased(previousStatus);
      const reason = takeover ? 'lease-expired-takeover' : 'claimed-from-queue';
      const historyId = await this.referrals.addHistory(manager, {
        referralId: referral.id,
        action: 'claim',
        fromStatus: previousStatus,
        toStatus: 'claimed',
        actorId: nurse.id,
        claimedBy: nurse.id,
        reason,
      });
      const cause = causeOf(referral);
      await this.events.emit(manager, cause, 'referral.status-changed', this.lifecycle.eventData(referral, 'claim', previousStatus, nurse.id, reason));
      if (takeover && previousClaimant !== null && previousClaimant !== nurse.id) {
        await this.events.notify(manager, cause, Notices.leaseExpired(referral, previousClaimant, historyId));
      }
      return referral;
    });
  }

  claim(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'claim', input);
  }

  /** Extends the holder's lease; refused with the reason when it is not theirs, not leased, or already expired. */
  async renew(referralId: string, actorId: string): Promise<Referral> {
    return this.unitOfWork.run(async (manager) => {
      const renewed = await this.referrals.renewLease(manager, referralId, actorId, this.config.REFERRAL_LEASE_SECONDS);
      if (renewed) {
        return renewed;
      }
      const locked = await this.referrals.lock(manager, referralId);
      if (!locked) {
        throw new ReferralError(ReferralErrorCode.ReferralNotFound, `referral ${referralId} not found`);
      }
      checkRenewal(locked.referral, actorId, locked.now);
      throw new ReferralError(ReferralErrorCode.LeaseExpired, 'the claim expired; claim the referral again');
    });
  }

  release(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'release', input);
  }

  /** Hands the referral to another active nurse of its team, who is told; a supervisor may also assign a waiting one. */
  async reassign(referralId: string, input: StepInput & { nurseId: string }): Promise<Referral> {
    return this.step(referralId, 'reassign', input, {}, async (manager, referral) => {
      const target = await this.activeNurse(manager, input.nurseId);
      if (!worksQueue(nurseActor(target), referral.teamId, referral.skill)) {
        throw new ReferralError(ReferralErrorCode.NotInQueue, 'the nurse handed the referral does not work its queue');
      }
      return target.id;
    });
  }

  start(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'start', input);
  }

  schedule(referralId: string, input: StepInput & { scheduledFor: Date }): Promise<Referral> {
    return this.step(referralId, 'schedule', input, { scheduledFor: input.scheduledFor });
  }

  order(referralId: string, input: StepInput & { orderReference?: string }): Promise<Referral> {
    return this.step(referralId, 'order', input, { orderReference: input.orderReference ?? null });
  }

  complete(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'complete', input);
  }

  decline(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'decline', input);
  }

  cancel(referralId: string, input: StepInput): Promise<Referral> {
    return this.step(referralId, 'cancel', input);
  }

  private async step(
    referralId: string,
    action: StepAction,
    input: StepInput,
    extra: Pick<StepDetails, 'scheduledFor' | 'orderReference'> = {},
    resolveTarget?: (manager: EntityManager, referral: Referral) => Promise<string>,
  ): Promise<Referral> {
    return this.unitOfWork.run(async (manager) => {
      const locked = await this.referrals.lock(manager, referralId);
      if (!locked) {
        throw new ReferralError(ReferralErrorCode.ReferralNotFound, `referral ${referralId} not found`);
      }
      const { referral, now } = locked;
      const actor = await this.actorFor(manager, input.actorId);
      const target = resolveTarget ? await resolveTarget(manager, referral) : undefined;
      const transition = planTransition(referral, action, actor, now, target);
      const details: StepDetails = { actorId: input.actorId, reason: input.reason ?? DEFAULT_REASON[action], note: input.note ?? null, ...extra };
      const cause = causeOf(referral);
      const { referral: updated, historyId } = await this.lifecycle.apply(manager, referral, transition, details, cause);
      if (action === 'reassign' && target !== undefined && target !== input.actorId) {
        await this.events.notify(manager, cause, Notices.assigned(updated, target, historyId));
      }
      this.logger.info({ referralId, action, from: transition.from, to: transition.to }, 'referral step');
      return updated;
    });
  }

  private async activeNurse(manager: EntityManager, nurseId: string): Promise<Nurse> {
    const nurse = await this.nurses.find(manager, nurseId);
    if (!nurse) {
      throw new ReferralError(ReferralErrorCode.NurseNotFound, `nurse ${nurseId} is not registered`);
    }
    if (!nurse.active) {
      throw new ReferralError(ReferralErrorCode.NurseInactive, `nurse ${nurseId} is not active`);
    }
    return nurse;
  }

  private async actorFor(manager: EntityManager, actorId: string): Promise<Actor> {
    return actorOf(await this.nurses.find(manager, actorId), actorId);
  }
}
