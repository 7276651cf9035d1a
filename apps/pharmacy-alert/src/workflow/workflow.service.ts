import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import type { NeedKind } from '@sc/contracts';
import { canSeeTeam, type Principal } from '@sc/security';
import { UnitOfWork } from '@sc/persistence';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { TimelineRepository } from '../timeline/timeline.repository';
import { PharmacyEvents, type EventCause } from '../tasks/pharmacy-events';
import { TaskRepository } from '../tasks/task.repository';
import type { TaskView } from '../tasks/task.views';
import { UNSUCCESSFUL_CONTACT_OUTCOMES, type CompleteTaskDto, type ContactAttemptDto, type MedicationReconciliationDto, type NeedFlagDto } from './workflow.dto';

const NEED_SUMMARY: Record<NeedKind, string> = {
  'missing-home-device': 'Pharmacist flagged a missing home device',
  'diet-or-wellness': 'Pharmacist flagged a diet or wellness need',
  'specialist-symptoms': 'Pharmacist flagged symptoms for the specialist',
  'in-home-care': 'Pharmacist flagged a need for in-home care',
  'social-needs': 'Pharmacist flagged a social need',
};

/**
 * The pharmacist's work on a task: acknowledge, record calls, document the medication
 * reconciliation, flag needs for other teams, complete. Each step is one transaction that also
 * writes the event other services consume and the shared timeline entry, and marks the
 * regulatory clocks it meets.
 */
@Injectable()
export class WorkflowService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly tasks: TaskRepository,
    private readonly events: PharmacyEvents,
    private readonly timeline: TimelineRepository,
  ) {}

  acknowledge(taskId: string, actor: Principal): Promise<TaskView> {
    const actorId = actor.id;
    return this.onOpenTask(taskId, actor, async (manager, task, cause) => {
      if (task.status === 'open') {
        await this.tasks.acknowledge(manager, task.id, actorId);
        await this.events.emit(manager, cause, 'pharmacy.task-acknowledged', { taskId: task.id, patientId: task.patientId, kind: this.kindOf(task), actorId });
        await this.record(manager, task, actorId, 'acknowledged', 'Pharmacist acknowledged the follow-up');
      }
    });
  }

  recordContact(taskId: string, actor: Principal, attempt: ContactAttemptDto): Promise<TaskView> {
    const actorId = actor.id;
    return this.onOpenTask(taskId, actor, async (manager, task, cause) => {
      const attemptedAt = attempt.attemptedAt ? new Date(attempt.attemptedAt) : new Date();
      await this.tasks.acknowledge(manager, task.id, actorId);
      await manager.query('INSERT INTO contact_attempts (id, task_id, outcome, attempted_at, actor_id) VALUES ($1, $2, $3, $4, $5)', [
        randomUUID(),
        task.id,
        attempt.outcome,
        attemptedAt,
        actorId,
      ]);
      if (attempt.outcome === 'reached') {
        await this.tasks.meetClocks(manager, task.id, 'interactive-contact', attemptedAt);
      } else if (UNSUCCESSFUL_CONTACT_OUTCOMES.includes(attempt.outcome)) {
        await this.tasks.meetClocksByAttempts(manager, task.id, UNSUCCESSFUL_CONTACT_OUTCOMES);
      }
      await this.events.emit(manager, cause, 'pharmacy.contact-attempted', {
        taskId: task.id,
        patientId: task.patientId,
        kind: this.kindOf(task),
        actorId,
        outcome: attempt.outcome,
        attemptedAt: attemptedAt.toISOString(),
      });
      await this.record(manager, task, actorId, 'contact-attempt', `Call to patient: ${attempt.outcome}`, attemptedAt);
    });
  }

  reconcile(taskId: string, actor: Principal, reconciliation: MedicationReconciliationDto): Promise<TaskView> {
    const actorId = actor.id;
    return this.onOpenTask(taskId, actor, async (manager, task, cause) => {
      const reconciledAt = reconciliation.reconciledAt ? new Date(reconciliation.reconciledAt) : new Date();
      await this.tasks.acknowledge(manager, task.id, actorId);
      await manager.query(
        `INSERT INTO medication_reconciliations (task_id, home_medications, started_in_hospital, stopped, changed, discrepancies, actor_id, reconciled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (task_id) DO UPDATE SET home_medications = EXCLUDED.home_medications, started_in_hospital = EXCLUDED.started_in_hospital,
           stopped = EXCLUDED.stopped, changed = EXCLUDED.changed, discrepancies = EXCLUDED.discrepancies, actor_id = EXCLUDED.actor_id,
           reconciled_at = EXCLUDED.reconciled_at`,
        [
          task.id,
          JSON.stringify(reconciliation.homeMedications),
          JSON.stringify(reconciliation.startedInHospital),
          JSON.stringify(reconciliation.stopped),
          JSON.stringify(reconciliation.changed),
          JSON.stringify(reconciliation.discrepancies),
          actorId,
          reconciledAt,
        ],
      );
      await this.tasks.meetClocks(manager, task.id, 'medication-reconciliation', reconciledAt);
      await this.events.emit(manager, cause, 'pharmacy.medication-reconciled', {
        taskId: task.id,
        patientId: task.patientId,
        kind: this.kindOf(task),
        actorId,
        homeMedications: reconciliation.homeMedications,
        startedInHospital: reconciliation.startedInHospital,
        stopped: reconciliation.stopped,
        changed: reconciliation.changed,
        discrepancies: reconciliation.discrepancies,
        reconciledAt: reconciledAt.toISOString(),
      });
      await this.record(
        manager,
        task,
        actorId,
        'medication-reconciliation',
        `Medication reconciliation documented (${reconciliation.discrepancies.length} discrepancies)`,
        reconciledAt,
      );
    });
  }

  async flagNeed(taskId: string, actor: Principal, flag: NeedFlagDto): Promise<{ flagId: string; patientId: string }> {
    const actorId = actor.id;
    const flagId = randomUUID();
    const task = await this.onOpenTask(taskId, actor, async (manager, task, cause) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO need_flags (id, task_id, need, code, code_system, actor_id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (task_id, need, code) DO NOTHING RETURNING id`,
        [flagId, task.id, flag.need, flag.code ?? null, flag.codeSystem ?? null, actorId],
      );
      if (inserted.length === 0) {
        return;
      }
      await this.events.emit(manager, cause, 'pharmacy.need-flagged', {
        taskId: task.id,
        patientId: task.patientId,
        kind: this.kindOf(task),
        actorId,
        flagId,
        need: flag.need,
        code: flag.code ?? null,
        codeSystem: flag.codeSystem ?? null,
      });
      await this.record(manager, task, actorId, 'need-flagged', NEED_SUMMARY[flag.need]);
    });
    return { flagId, patientId: task.patientId };
  }

  complete(taskId: string, actor: Principal, completion: CompleteTaskDto): Promise<TaskView> {
    const actorId = actor.id;
    return this.onOpenTask(taskId, actor, async (manager, task, cause) => {
      if (completion.outcome === 'reconciled') {
        const rows: unknown[] = await manager.query('SELECT 1 FROM medication_reconciliations WHERE task_id = $1', [task.id]);
        if (rows.length === 0) {
          throw new PharmacyError(PharmacyErrorCode.ReconciliationRequired, 'document the medication reconciliation before completing as reconciled');
        }
      }
      const completedAt = await this.tasks.complete(manager, task.id, actorId, completion.outcome);
      await this.tasks.meetClocks(manager, task.id, 'completed', completedAt);
      await this.events.emit(manager, cause, 'pharmacy.task-completed', {
        taskId: task.id,
        patientId: task.patientId,
        kind: this.kindOf(task),
        actorId,
        outcome: completion.outcome,
        completedAt: completedAt.toISOString(),
        withinWindow: completedAt.getTime() <= new Date(task.dueAt).getTime(),
      });
      await this.record(manager, task, actorId, 'completed', `Pharmacist follow-up completed: ${completion.outcome}`, completedAt);
    });
  }

  private kindOf(task: TaskView): 'discharge-call' | 'chart-review' | 'coordinate-with-facility' | 'admission-alert' {
    return task.kind as 'discharge-call' | 'chart-review' | 'coordinate-with-facility' | 'admission-alert';
  }

  private async record(manager: EntityManager, task: TaskView, actorId: string, kind: string, summary: string, at = new Date()): Promise<void> {
    await this.timeline.add(manager, { patientId: task.patientId, occurredAt: at, team: 'pharmacy', kind, actorId, summary, itemId: task.id });
  }

  /** Locks the task, refuses other teams' and closed ones, runs the step, and returns the task as it now is. */
  private async onOpenTask(
    taskId: string,
    actor: Principal,
    step: (manager: EntityManager, task: TaskView, cause: EventCause) => Promise<void>,
  ): Promise<TaskView> {
    return this.unitOfWork.run(async (manager) => {
      const task = await this.tasks.findById(manager, taskId, { lock: true });
      // Another team's task answers like a missing one: its existence is patient data too.
      if (!task || !canSeeTeam(actor, task.teamId)) {
        throw new PharmacyError(PharmacyErrorCode.TaskNotFound, `task ${taskId} not found`);
      }
      if (task.status === 'completed' || task.status === 'cancelled') {
        throw new PharmacyError(PharmacyErrorCode.TaskClosed, `task ${taskId} is ${task.status}`);
      }
      await step(manager, task, { subject: task.subject, correlationId: task.correlationId, causationId: null });
      return (await this.tasks.findById(manager, taskId)) as TaskView;
    });
  }
}
