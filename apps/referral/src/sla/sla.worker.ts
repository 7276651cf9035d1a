import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { ReferralConfig } from '../config';
import { Notices } from '../notices/referral-notices';
import { NurseRepository } from '../nurses/nurse.repository';
import { slaStepApplies, type SlaStep } from '../referrals/referral-clock';
import { ReferralEventsEmitter } from '../referrals/referral-events.emitter';
import { ReferralLifecycle, causeOf } from '../referrals/referral-lifecycle';
import { ReferralRepository } from '../referrals/referral.repository';
import { isLeased, planTransition } from '../referrals/referral-state-machine';

const BATCH = 100;

/**
 * The referral clocks, all kept in PostgreSQL so a restart loses none: SLA timers (escalation
 * before the deadline, breach at it) and claims whose lease ran out, which go back to the queue.
 * Rows are taken with SKIP LOCKED, so several instances share the work and none fires twice.
 */
@Injectable()
export class SlaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(SlaWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly referrals: ReferralRepository,
    private readonly nurses: NurseRepository,
    private readonly lifecycle: ReferralLifecycle,
    private readonly events: ReferralEventsEmitter,
    @Inject(SERVICE_CONFIG) private readonly config: ReferralConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.runOnce()
          .then(() => undefined)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'referral clock pass failed; will retry'))
          .finally(() => {
            this.running = undefined;
          });
      }
    }, this.config.REFERRAL_TIMER_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: every expired lease and every due timer, in batches until none is left. */
  async runOnce(): Promise<{ leasesExpired: number; timersFired: number }> {
    let leasesExpired = 0;
    let timersFired = 0;
    for (;;) {
      const expired = await this.expireLeases();
      leasesExpired += expired;
      if (expired < BATCH) {
        break;
      }
    }
    for (;;) {
      const fired = await this.fireDueTimers();
      timersFired += fired.claimed;
      if (fired.claimed < BATCH) {
        break;
      }
    }
    return { leasesExpired, timersFired };
  }

  /** Puts referrals whose holder went quiet back in the queue and tells that nurse. */
  async expireLeases(): Promise<number> {
    return this.unitOfWork.run(async (manager) => {
      const expired = await this.referrals.lockExpiredLeases(manager, BATCH);
      for (const { referral, now } of expired) {
        const transition = planTransition(referral, 'expire-lease', { kind: 'system' }, now);
        const cause = causeOf(referral);
        const { historyId } = await this.lifecycle.apply(manager, referral, transition, { actorId: 'system', reason: 'lease-expired' }, cause);
        if (referral.claimedBy !== null) {
          await this.events.notify(manager, cause, Notices.leaseExpired(referral, referral.claimedBy, historyId));
        }
      }
      if (expired.length > 0) {
        this.logger.info({ count: expired.length }, 'expired claims returned to their queues');
      }
      return expired.length;
    });
  }

  async fireDueTimers(): Promise<{ claimed: number; fired: number }> {
    return this.unitOfWork.run(async (manager) => {
      const due = await this.referrals.claimDueTimers(manager, BATCH);
      let fired = 0;
      for (const timer of due) {
        if (await this.fire(manager, timer.referralId, timer.step)) {
          fired += 1;
        }
      }
      return { claimed: due.length, fired };
    });
  }

  /**
   * Escalation goes to the nurse holding the referral, else to the team; a breach goes to the
   * holder and the team's supervisors (the team when it has none). Arranged or closed referrals
   * met their SLA: their timers do nothing.
   */
  private async fire(manager: EntityManager, referralId: string, step: SlaStep): Promise<boolean> {
    const locked = await this.referrals.lock(manager, referralId);
    if (!locked || !slaStepApplies(locked.referral.status)) {
      return false;
    }
    const { referral } = locked;
    await this.referrals.markSla(manager, referral.id, step);
    const cause = causeOf(referral);
    await this.events.emit(manager, cause, 'referral.sla-escalated', {
      referralId: referral.id,
      referralType: referral.type,
      queueId: referral.queueId,
      teamId: referral.teamId,
      step,
      status: referral.status,
      claimedBy: referral.claimedBy,
      dueAt: referral.dueAt.toISOString(),
    });
    const holder = isLeased(referral.status) ? referral.claimedBy : null;
    if (step === 'escalation') {
      await this.events.notify(manager, cause, Notices.escalation(referral, holder));
    } else {
      const supervisors = await this.nurses.activeSupervisors(manager, referral.teamId);
      const recipients = [...new Set([...(holder !== null ? [holder] : []), ...(supervisors.length > 0 ? supervisors : [null])])];
      await this.events.notify(manager, cause, ...recipients.map((recipient) => Notices.breach(referral, recipient)));
    }
    this.logger.info({ referralId, step }, 'referral SLA step fired');
    return true;
  }
}
