import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { ClinicalFactsRepository } from '../facts/clinical-facts.repository';
import { Notices } from '../notices/referral-notices';
import { NurseRepository, actorOf } from '../nurses/nurse.repository';
import { ReferralEventsEmitter } from '../referrals/referral-events.emitter';
import { ReferralLifecycle, causeOf } from '../referrals/referral-lifecycle';
import { ReferralRepository, type Referral } from '../referrals/referral.repository';
import { planTransition } from '../referrals/referral-state-machine';
import { assembleBriefing, type BriefingPacket } from './briefing-packet';
import { BriefingRepository, type Briefing } from './briefing.repository';

const RECENT_EPISODES = 5;
const RECENT_FOLLOW_UPS = 5;

/** A briefing as the API shows it: the draft assembled now, or the packet as it was sent. */
export interface BriefingState {
  referral: Referral;
  packet: BriefingPacket;
  briefing: Briefing | null;
}

/**
 * Specialist briefings: a packet assembled from what this service has seen of the patient
 * (pharmacist's medication reconciliation, conditions coded at discharge, recent encounters), sent
 * by the nurse who holds the referral and closed by the specialist's acknowledgement.
 */
@Injectable()
export class BriefingService {
  private readonly logger = createLogger(BriefingService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly referrals: ReferralRepository,
    private readonly briefings: BriefingRepository,
    private readonly facts: ClinicalFactsRepository,
    private readonly nurses: NurseRepository,
    private readonly lifecycle: ReferralLifecycle,
    private readonly events: ReferralEventsEmitter,
  ) {}

  async get(referralId: string): Promise<BriefingState> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const referral = await this.referrals.findById(manager, referralId);
      this.assertBriefing(referralId, referral);
      const briefing = (await this.briefings.find(manager, referralId)) ?? null;
      return { referral, briefing, packet: briefing?.packet ?? (await this.assemble(manager, referral)) };
    });
  }

  /** Sends the packet (assembled now and kept as sent); the referral is then ordered until the specialist acknowledges. */
  async send(referralId: string, input: { actorId: string; specialistId: string; note?: string }): Promise<BriefingState> {
    return this.unitOfWork.run(async (manager) => {
      const { referral, now } = await this.lockBriefing(manager, referralId);
      const actor = actorOf(await this.nurses.find(manager, input.actorId), input.actorId);
      const transition = planTransition(referral, 'send-briefing', actor, now);
      const packet = await this.assemble(manager, referral);
      const briefing = await this.briefings.insert(manager, { referralId, packet, specialistId: input.specialistId, sentBy: input.actorId, sentAt: now });
      const cause = causeOf(referral);
      const { referral: updated } = await this.lifecycle.apply(manager, referral, transition, { actorId: input.actorId, reason: 'briefing-sent', note: input.note ?? null }, cause);
      await this.events.emit(manager, cause, 'referral.briefing-sent', {
        referralId,
        specialistId: input.specialistId,
        actorId: input.actorId,
        sentAt: now.toISOString(),
        link: `/v1/referrals/${referralId}/briefing`,
        contents: {
          medications: packet.medications
            ? packet.medications.homeMedications.length + packet.medications.startedInHospital.length + packet.medications.changed.length
            : 0,
          conditions: packet.conditions.length,
          encounters: packet.recentEncounters.length,
          withheldConditions: packet.withheldConditions,
        },
      });
      this.logger.info({ referralId }, 'briefing sent');
      return { referral: updated, briefing, packet };
    });
  }

  /** The specialist's acknowledgement (usually relayed by an integration) completes the referral; a repeat is answered, not refused. */
  async acknowledge(referralId: string, input: { acknowledgedBy: string; acknowledgedAt?: Date }): Promise<BriefingState> {
    return this.unitOfWork.run(async (manager) => {
      const { referral, now } = await this.lockBriefing(manager, referralId);
      const sent = await this.briefings.find(manager, referralId);
      if (!sent) {
        throw new ReferralError(ReferralErrorCode.BriefingNotSent, 'the briefing has not been sent');
      }
      if (sent.acknowledgedAt !== null) {
        return { referral, briefing: sent, packet: sent.packet };
      }
      const transition = planTransition(referral, 'acknowledge-briefing', { kind: 'external', id: input.acknowledgedBy }, now);
      const briefing = await this.briefings.acknowledge(manager, referralId, input.acknowledgedBy, input.acknowledgedAt ?? now);
      const cause = causeOf(referral);
      const { referral: updated } = await this.lifecycle.apply(manager, referral, transition, { actorId: input.acknowledgedBy, reason: 'specialist-acknowledged' }, cause);
      await this.events.notify(manager, cause, Notices.briefingAcknowledged(updated, updated.claimedBy));
      this.logger.info({ referralId }, 'briefing acknowledged');
      return { referral: updated, briefing, packet: briefing.packet };
    });
  }

  private async assemble(manager: EntityManager, referral: Referral): Promise<BriefingPacket> {
    return assembleBriefing({
      referralId: referral.id,
      reasonForBriefing: referral.item?.system === 'ICD10' ? referral.item : null,
      reconciliation: await this.facts.latestReconciliation(manager, referral.subject),
      episodes: await this.facts.recentEpisodes(manager, referral.subject, RECENT_EPISODES),
      followUps: await this.facts.recentFollowUps(manager, referral.subject, RECENT_FOLLOW_UPS),
      now: new Date(),
    });
  }

  private async lockBriefing(manager: EntityManager, referralId: string): Promise<{ referral: Referral; now: Date }> {
    const locked = await this.referrals.lock(manager, referralId);
    this.assertBriefing(referralId, locked?.referral);
    return locked as { referral: Referral; now: Date };
  }

  private assertBriefing(referralId: string, referral: Referral | undefined): asserts referral is Referral {
    if (!referral) {
      throw new ReferralError(ReferralErrorCode.ReferralNotFound, `referral ${referralId} not found`);
    }
    if (referral.type !== 'specialist-briefing') {
      throw new ReferralError(ReferralErrorCode.NotABriefing, `a ${referral.type} referral has no specialist briefing`);
    }
  }
}
