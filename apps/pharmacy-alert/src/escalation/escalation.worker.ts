import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { PharmacyAlertConfig } from '../config';
import { PharmacistRepository } from '../pharmacists/pharmacist.repository';
import { teamLeads } from '../pharmacists/routing';
import { PharmacyEvents } from '../tasks/pharmacy-events';
import type { ClockName } from '../tasks/regulatory-clocks';
import { TaskRepository } from '../tasks/task.repository';
import { TimelineRepository } from '../timeline/timeline.repository';
import { stepApplies, type EscalationStep } from './escalation-ladder';

interface DueTimer {
  task_id: string;
  clock: ClockName;
  step: EscalationStep;
}

const CLOCK_NAMES: Record<ClockName, string> = {
  'follow-up-24h': 'discharge follow-up',
  'tcm-interactive-contact': 'TCM interactive contact',
  'tcm-face-to-face-7d': 'TCM face-to-face visit (7 days)',
  'tcm-face-to-face-14d': 'TCM face-to-face visit (14 days)',
  'hedis-medication-reconciliation': 'HEDIS medication reconciliation',
  'hedis-engagement': 'HEDIS patient engagement',
};

const titleOf = (step: EscalationStep, clock: ClockName): string => {
  switch (step) {
    case 'reminder':
      return 'Reminder: discharge follow-up not yet acknowledged';
    case 'team-lead':
      return `Escalation: ${CLOCK_NAMES[clock]} at risk of missing its deadline`;
    case 'breach':
      return `Deadline missed: ${CLOCK_NAMES[clock]} overdue`;
  }
};

/** The follow-up clock's notifications keep the ids they had before there were other clocks, so a redelivered one is still recognised. */
const notificationIdOf = (taskId: string, timer: DueTimer, recipientId: string | null): string =>
  [taskId, ...(timer.clock === 'follow-up-24h' ? [] : [timer.clock]), timer.step, recipientId ?? 'team'].join('-');

/**
 * Fires the escalation ladder from timers stored in PostgreSQL, so a restart loses none. Timers
 * are claimed with SKIP LOCKED, so several instances share the work without firing one twice.
 */
@Injectable()
export class EscalationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(EscalationWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly tasks: TaskRepository,
    private readonly pharmacists: PharmacistRepository,
    private readonly events: PharmacyEvents,
    private readonly timeline: TimelineRepository,
    @Inject(SERVICE_CONFIG) private readonly config: PharmacyAlertConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.fireDue()
          .then(() => undefined)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'escalation pass failed; will retry'))
          .finally(() => {
            this.running = undefined;
          });
      }
    }, this.config.TIMER_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Fires every due timer; returns how many rungs were acted on. */
  async fireDue(): Promise<number> {
    return this.unitOfWork.run(async (manager) => {
      const due: DueTimer[] = await manager.query(
        `SELECT task_id, clock, step FROM task_timers WHERE fired_at IS NULL AND fire_at <= now()
         ORDER BY fire_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      let fired = 0;
      for (const timer of due) {
        await manager.query('UPDATE task_timers SET fired_at = now() WHERE task_id = $1 AND clock = $2 AND step = $3', [timer.task_id, timer.clock, timer.step]);
        if (await this.fire(manager, timer)) {
          fired += 1;
        }
      }
      return fired;
    });
  }

  private async fire(manager: EntityManager, timer: DueTimer): Promise<boolean> {
    const task = await this.tasks.findById(manager, timer.task_id);
    // Tasks created before the clocks have none: their timers run against the task's own due time.
    const clock = task?.clocks.find((candidate) => candidate.clock === timer.clock);
    if (!task || !stepApplies(timer.step, task.status, clock?.metAt != null)) {
      return false;
    }
    const dueAt = clock?.dueAt ?? task.dueAt;
    const title = titleOf(timer.step, timer.clock);
    const cause = { subject: task.subject, correlationId: task.correlationId, causationId: null };
    await this.events.emit(manager, cause, 'pharmacy.task-escalated', {
      taskId: task.id,
      patientId: task.patientId,
      kind: task.kind as 'discharge-call',
      actorId: 'system',
      step: timer.step,
      dueAt,
    });
    const leads = task.teamId ? teamLeads(await this.pharmacists.teamMembers(manager, task.teamId)) : [];
    const recipients = timer.step === 'reminder' ? [task.assigneeId] : [task.assigneeId, ...leads];
    const targets = recipients.filter((recipient, index) => recipients.indexOf(recipient) === index);
    for (const recipientId of targets) {
      await this.events.notify(manager, cause, {
        notificationId: notificationIdOf(task.id, timer, recipientId),
        recipientId,
        teamId: task.teamId,
        title,
        urgency: 'urgent',
        dueAt,
        link: `/v1/tasks/${task.id}`,
        itemType: 'pharmacy-task',
        itemId: task.id,
      });
    }
    await this.timeline.add(manager, {
      patientId: task.patientId,
      occurredAt: new Date(),
      team: 'system',
      kind: `escalation-${timer.step}`,
      actorId: 'system',
      summary: title,
      itemId: task.id,
    });
    return true;
  }
}
