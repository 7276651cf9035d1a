import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EnvelopeOf, EventEnvelope } from '@sc/contracts';
import { UnprocessableEventError } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ClinicalFactsRepository } from '../facts/clinical-facts.repository';
import { ReferralLifecycle } from '../referrals/referral-lifecycle';
import { referralFromCareGap, referralFromNeed, type ReferralSpec } from '../referrals/referral-sources';
import { ReferralRepository } from '../referrals/referral.repository';
import { isOpen } from '../referrals/referral-state-machine';

/** Care-gap and pharmacy events: sources of referrals, facts for briefings, and deaths. */
export type SourceEvent = EnvelopeOf<
  | 'care-gap.opened'
  | 'care-gap.updated'
  | 'care-gap.closed'
  | 'pharmacy.need-flagged'
  | 'pharmacy.medication-reconciled'
  | 'pharmacy.task-completed'
  | 'pharmacy.patient-expired'
>;

export type SourceResult = 'referral-created' | 'duplicate-source' | 'not-a-referral' | 'recorded' | 'withdrawn' | 'expired';

const time = (value: string, field: string): Date => {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new UnprocessableEventError('EVENT_TIME_INVALID', `${field} is not a valid time`);
  }
  return parsed;
};

/**
 * Turns care gaps (covered device, postpartum follow-up) and pharmacist need flags into referrals,
 * one per source; keeps reconciliations and follow-ups for specialist briefings; and ends open work
 * when a gap is dismissed or closed before it was arranged, or the pharmacy learns of a death.
 */
@Injectable()
export class SourceIntakeService {
  private readonly logger = createLogger(SourceIntakeService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly facts: ClinicalFactsRepository,
    private readonly referrals: ReferralRepository,
    private readonly lifecycle: ReferralLifecycle,
  ) {}

  async handle(event: SourceEvent): Promise<SourceResult> {
    const result = await this.unitOfWork.run(async (manager): Promise<SourceResult> => {
      switch (event.type) {
        case 'care-gap.opened':
        case 'care-gap.updated':
          return this.create(manager, referralFromCareGap(event.data), event);
        case 'pharmacy.need-flagged':
          return this.create(manager, referralFromNeed(event.data), event);
        case 'care-gap.closed':
          return this.closeGap(manager, event);
        case 'pharmacy.medication-reconciled':
          await this.facts.recordReconciliation(manager, event.subject, {
            taskId: event.data.taskId,
            correlationId: event.correlationId,
            homeMedications: event.data.homeMedications,
            startedInHospital: event.data.startedInHospital,
            stopped: event.data.stopped,
            changed: event.data.changed,
            discrepancies: event.data.discrepancies,
            reconciledAt: time(event.data.reconciledAt, 'reconciledAt'),
          });
          return 'recorded';
        case 'pharmacy.task-completed':
          await this.facts.recordFollowUp(manager, event.subject, {
            taskId: event.data.taskId,
            correlationId: event.correlationId,
            outcome: event.data.outcome,
            completedAt: time(event.data.completedAt, 'completedAt'),
            withinWindow: event.data.withinWindow,
          });
          return 'recorded';
        case 'pharmacy.patient-expired':
          await this.lifecycle.closeForDeath(manager, event.subject, time(event.occurredAt, 'occurredAt'), event.id);
          return 'expired';
      }
    });
    this.logger.debug({ result, eventType: event.type }, 'source event handled');
    return result;
  }

  private async create(manager: EntityManager, spec: ReferralSpec | null, event: SourceEvent): Promise<SourceResult> {
    if (spec === null) {
      return 'not-a-referral';
    }
    return (await this.lifecycle.create(manager, spec, event)) ? 'referral-created' : 'duplicate-source';
  }

  /** A dismissed gap ends its referral; a gap closed (met another way) ends it only if nothing was arranged yet. */
  private async closeGap(manager: EntityManager, event: EventEnvelope<'care-gap.closed'>): Promise<SourceResult> {
    const referral = await this.referrals.findBySourceKey(manager, `care-gap:${event.data.gapId}`);
    if (!referral || !isOpen(referral.status)) {
      return 'recorded';
    }
    const dismissed = event.data.status === 'dismissed';
    if (!dismissed && (referral.status === 'scheduled' || referral.status === 'ordered')) {
      return 'recorded';
    }
    await this.lifecycle.withdraw(manager, [referral], dismissed ? 'care-gap-dismissed' : 'care-gap-closed', event.id);
    return 'withdrawn';
  }
}
