import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { createEnvelope, type EventEnvelope, type TaskKind } from '@sc/contracts';
import { Outbox, UnprocessableEventError, claimInbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { PharmacyAlertConfig } from '../config';
import { RosterRepository, type RosterPatient } from '../roster/roster.repository';
import { planForDischarge, taskClock } from './discharge-plan';

export const CONSUMER = 'pharmacy-alert';
const SOURCE = 'pharmacy-alert';

export type DischargeResult = 'duplicate-event' | 'unrostered' | 'no-outreach' | 'duplicate-episode' | 'task-created';

@Injectable()
export class DischargeTaskService {
  private readonly logger = createLogger(DischargeTaskService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly roster: RosterRepository,
    private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: PharmacyAlertConfig,
  ) {}

  /**
   * A discharge of a rostered patient becomes one pharmacist task per episode, due 24 hours after
   * the clinical discharge time, and a notification request to the assignee; all in one
   * transaction with the inbox row, so a redelivered event changes nothing.
   */
  async handleDischarge(event: EventEnvelope<'encounter.discharged'>): Promise<DischargeResult> {
    const dischargedAt = new Date(event.data.visit.dischargedAt ?? event.occurredAt);
    if (Number.isNaN(dischargedAt.getTime())) {
      throw new UnprocessableEventError('DISCHARGE_TIME_INVALID', 'discharge event has no valid clinical time');
    }
    const result = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, CONSUMER, event))) {
        return 'duplicate-event' as const;
      }
      const matches = await this.roster.findByIdentifiers(manager, event.data.patient.identifiers);
      if (matches.length !== 1) {
        await this.recordUnmatched(manager, event);
        return 'unrostered' as const;
      }
      const plan = planForDischarge(event.data);
      if (plan.action === 'no-outreach') {
        return 'no-outreach' as const;
      }
      return this.createTask(manager, event, matches[0], plan.kind, dischargedAt);
    });
    this.logger.info({ result, eventType: event.type }, 'discharge handled');
    return result;
  }

  private async createTask(
    manager: EntityManager,
    event: EventEnvelope<'encounter.discharged'>,
    patient: RosterPatient,
    kind: TaskKind,
    dischargedAt: Date,
  ): Promise<DischargeResult> {
    const clock = taskClock(dischargedAt, new Date(), this.config.DISCHARGE_WINDOW_HOURS, patient.hasSpecialtyTherapy);
    const taskId = randomUUID();
    const inserted: unknown[] = await manager.query(
      `INSERT INTO tasks (id, patient_id, kind, status, episode_key, correlation_id, priority, discharged_at, due_at,
                          assignee_id, team_id, source_event_id)
       VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (kind, episode_key) DO NOTHING RETURNING id`,
      [
        taskId,
        patient.id,
        kind,
        event.correlationId,
        event.correlationId,
        clock.priority,
        dischargedAt,
        clock.dueAt,
        patient.pharmacistId,
        patient.teamId,
        event.id,
      ],
    );
    if (inserted.length === 0) {
      return 'duplicate-episode';
    }
    const context = {
      source: SOURCE,
      subject: event.subject,
      occurredAt: new Date().toISOString(),
      correlationId: event.correlationId,
      causationId: event.id,
    };
    const dueAt = clock.dueAt.toISOString();
    await this.outbox.append(
      manager,
      createEnvelope(
        'pharmacy.task-created',
        {
          taskId,
          kind,
          patientId: patient.id,
          dueAt,
          priority: clock.priority,
          assigneeId: patient.pharmacistId,
          teamId: patient.teamId,
          overdueOnArrival: clock.overdueOnArrival,
        },
        context,
      ),
      createEnvelope(
        'notification.requested',
        {
          // Derived from the task so a replayed request can never notify twice.
          notificationId: taskId,
          recipientId: patient.pharmacistId,
          teamId: patient.teamId,
          title: kind === 'discharge-call' ? 'Patient discharged: call and reconcile medications' : 'Patient discharged to a facility: coordinate care',
          urgency: clock.priority === 'routine' ? 'routine' : 'urgent',
          dueAt,
          link: `/v1/tasks/${taskId}`,
          itemType: 'pharmacy-task',
          itemId: taskId,
        },
        context,
      ),
    );
    return 'task-created';
  }

  private async recordUnmatched(manager: EntityManager, event: EventEnvelope<'encounter.discharged'>): Promise<void> {
    await manager.query(
      'INSERT INTO unmatched_encounters (event_id, event_type, sending_facility) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [event.id, event.type, event.data.sendingFacility],
    );
  }
}
