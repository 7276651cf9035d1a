import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { PharmacyAlertConfig } from '../config';
import { PharmacistRepository } from '../pharmacists/pharmacist.repository';
import { teamLeads } from '../pharmacists/routing';
import { PharmacyEvents } from '../tasks/pharmacy-events';
import { TaskRepository } from '../tasks/task.repository';
import { TimelineRepository } from '../timeline/timeline.repository';
import { stepApplies, type EscalationStep } from './escalation-ladder';

interface DueTimer {
  task_id: string;
  step: EscalationStep;
}

const TITLES: Record<EscalationStep, string> = {
  reminder: 'Reminder: discharge follow-up not yet acknowledged',
  'team-lead': 'Escalation: discharge follow-up at risk of missing its deadline',
  breach: 'Deadline missed: discharge follow-up overdue',
};

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
        `SELECT task_id, step FROM task_timers WHERE fired_at IS NULL AND fire_at <= now()
         ORDER BY fire_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      let fired = 0;
      for (const timer of due) {
        await manager.query('UPDATE task_timers SET fired_at = now() WHERE task_id = $1 AND step = $2', [timer.task_id, timer.step]);
        if (await this.fire(manager, timer)) {
          fired += 1;
        }
      }
      return fired;
    });
  }

  private async fire(manager: EntityManager, timer: DueTimer): Promise<boolean> {
    const task = await this.tasks.findById(manager, timer.task_id);
    if (!task || !stepApplies(timer.step, task.status)) {
      return false;
    }
    const cause = { subject: task.subject, correlationId: task.correlationId, causationId: null };
    await this.events.emit(manager, cause, 'pharmacy.task-escalated', {
      taskId: task.id,
      patientId: task.patientId,
      kind: task.kind as 'discharge-call',
      actorId: 'system',
      step: timer.step,
      dueAt: task.dueAt,
    });
    const leads = task.teamId ? teamLeads(await this.pharmacists.teamMembers(manager, task.teamId)) : [];
    const recipients = timer.step === 'reminder' ? [task.assigneeId] : [task.assigneeId, ...leads];
    const targets = recipients.filter((recipient, index) => recipients.indexOf(recipient) === index);
    for (const recipientId of targets) {
      await this.events.notify(manager, cause, {
        notificationId: `${task.id}-${timer.step}-${recipientId ?? 'team'}`,
        recipientId,
        teamId: task.teamId,
        title: TITLES[timer.step],
        urgency: 'urgent',
        dueAt: task.dueAt,
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
      summary: TITLES[timer.step],
      itemId: task.id,
    });
    return true;
  }
}
