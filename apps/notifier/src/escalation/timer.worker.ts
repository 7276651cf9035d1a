import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { backoffDelay } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { NotifierConfig } from '../config';
import { NotificationMetrics } from '../metrics/notification-metrics';
import { DeliveryDispatch } from '../notifications/delivery-dispatch';
import { PollingLoop } from '../runtime/polling-loop';
import { EscalationService, type EscalationOutcome } from './escalation.service';
import { TimerRepository, type TimerRecord } from './timer.repository';

const MAX_FIRE_ATTEMPTS = 10;

/**
 * Fires due timers from PostgreSQL, one per transaction, claimed with FOR UPDATE SKIP LOCKED so
 * instances share the work and a restart loses nothing: a timer is settled in the same
 * transaction as its effects, or not at all.
 */
@Injectable()
export class TimerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger(TimerWorker.name);
  private readonly loop: PollingLoop;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly timers: TimerRepository,
    private readonly escalation: EscalationService,
    private readonly dispatch: DeliveryDispatch,
    private readonly metrics: NotificationMetrics,
    @Inject(SERVICE_CONFIG) config: NotifierConfig,
  ) {
    this.loop = new PollingLoop('timers', config.TIMER_POLL_MS, () => this.fireNext(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Fires the earliest due timer; true when there was one (so the loop looks for the next at once). */
  async fireNext(): Promise<boolean> {
    const claim: { timer?: TimerRecord } = {};
    let outcome: EscalationOutcome | undefined;
    try {
      outcome = await this.unitOfWork.run(async (manager) => {
        claim.timer = await this.timers.claimDue(manager);
        return claim.timer ? this.escalation.fire(manager, claim.timer) : undefined;
      });
    } catch (error) {
      if (!claim.timer) {
        throw error;
      }
      // The transaction rolled back, timer included; postpone it so other due timers get their turn.
      const attempts = claim.timer.attempts + 1;
      const giveUp = attempts >= MAX_FIRE_ATTEMPTS;
      const retryAt = new Date(Date.now() + backoffDelay(attempts, 1000, 60_000));
      await this.timers.recordFailure(claim.timer.id, error instanceof Error ? error.name : 'UNKNOWN', retryAt, giveUp);
      this.logger.warn({ err: error, timerId: claim.timer.id, attempts, giveUp }, 'timer failed to fire');
      return true;
    }
    if (outcome?.kind === 'escalated') {
      // Counted after the commit: a rolled-back firing is tried again and must count once.
      this.metrics.escalated();
      await this.dispatch.announce(outcome.created);
    }
    return claim.timer !== undefined;
  }
}
