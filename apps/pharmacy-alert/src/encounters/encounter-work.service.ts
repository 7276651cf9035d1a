import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import type { EncounterEventData, EnvelopeOf, EventEnvelope, PatientMergedData, TaskKind } from '@sc/contracts';
import { EVENT_RELEVANCE, UnprocessableEventError, type EventRun } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import { UnitOfWork } from '@sc/persistence';
import type { AttributionIndex } from '../attribution/attribution-index';
import type { PharmacyAlertConfig } from '../config';
import { escalationTimers } from '../escalation/escalation-ladder';
import { IdentityReviewRepository } from '../matching/identity-review.repository';
import { PatientMatcher, type MatchResult } from '../matching/patient-matcher';
import { PharmacistRepository } from '../pharmacists/pharmacist.repository';
import { routeTask } from '../pharmacists/routing';
import { RosterRepository, type RosterPatient } from '../roster/roster.repository';
import { TimelineRepository } from '../timeline/timeline.repository';
import { DISCHARGE_KINDS, dischargeTimeOf, planForDischarge, recentAdmissionsSince, taskClock } from '../tasks/discharge-plan';
import { PharmacyEvents, type EventCause } from '../tasks/pharmacy-events';
import { RefillHoldRepository } from '../tasks/refill-hold.repository';
import { calendarFor, dischargeClocks } from '../tasks/regulatory-clocks';
import { TaskRepository } from '../tasks/task.repository';

/** The encounter events this service acts on. */
export const ENCOUNTER_EVENT_TYPES = [
  'encounter.admitted',
  'encounter.transferred',
  'encounter.discharged',
  'encounter.updated',
  'encounter.admission-cancelled',
  'encounter.discharge-cancelled',
  'patient.merged',
] as const;

export type EncounterEvent = EnvelopeOf<(typeof ENCOUNTER_EVENT_TYPES)[number]>;

export const isEncounterEvent = (event: EventEnvelope): event is EncounterEvent => (ENCOUNTER_EVENT_TYPES as readonly string[]).includes(event.type);

export type EncounterResult =
  | 'unrostered'
  | 'identity-review'
  | 'task-created'
  | 'duplicate-episode'
  | 'expired'
  | 'cancelled'
  | 'updated'
  | 'merged'
  | 'nothing-to-do';

const HOUR_MS = 3_600_000;

const locationOf = (data: EncounterEventData): string | null =>
  [data.visit.location.pointOfCare, data.visit.location.room, data.visit.location.bed].filter((part) => part !== null).join('-') || null;

/**
 * Turns hospital encounter events into pharmacist work: discharge tasks with a 24-hour clock and
 * the regulatory clocks beside it, admission alerts with refill holds, and the cancels, transfers,
 * updates, deaths and merges that change them. A run of events is handled in one transaction (the transport's, with their inbox rows).
 */
@Injectable()
export class EncounterWorkService {
  private readonly logger = createLogger(EncounterWorkService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly matcher: PatientMatcher,
    private readonly roster: RosterRepository,
    private readonly pharmacists: PharmacistRepository,
    private readonly tasks: TaskRepository,
    private readonly holds: RefillHoldRepository,
    private readonly reviews: IdentityReviewRepository,
    private readonly timeline: TimelineRepository,
    private readonly events: PharmacyEvents,
    @Inject(SERVICE_CONFIG) private readonly config: PharmacyAlertConfig,
    @Inject(EVENT_RELEVANCE) private readonly attribution: AttributionIndex,
  ) {}

  /**
   * A run of encounter events: their roster matches read in one statement and the subjects they
   * link written in one, then each event's work in order. A merge changes who later events are
   * about, so the events after one are matched on their own.
   */
  async handleRun(run: EventRun<EncounterEvent>): Promise<EncounterResult[]> {
    return this.unitOfWork.run(async (manager) => {
      const firstMerge = run.events.findIndex((event) => event.type === 'patient.merged');
      const beforeMerge = firstMerge === -1 ? run.events : run.events.slice(0, firstMerge);
      const matches = await this.matcher.matchAll(
        manager,
        beforeMerge.map((event) => event.data.patient),
      );
      await this.roster.rememberSubjects(
        manager,
        beforeMerge.flatMap((event, index) => {
          const match = matches[index];
          return match.kind === 'matched' ? [{ subject: event.subject, patientId: match.patient.id }] : [];
        }),
      );
      const results: EncounterResult[] = [];
      for (const [index, event] of run.events.entries()) {
        results.push(await run.within(event, () => this.handleMatched(manager, event, index < beforeMerge.length ? matches[index] : undefined)));
      }
      return results;
    });
  }

  private async handleMatched(manager: EntityManager, event: EncounterEvent, known: MatchResult | undefined): Promise<EncounterResult> {
    if (event.type === 'patient.merged') {
      return this.merge(manager, event);
    }
    let match = known;
    if (!match) {
      [match] = await this.matcher.matchAll(manager, [event.data.patient]);
      if (match.kind === 'matched') {
        await this.roster.rememberSubjects(manager, [{ subject: event.subject, patientId: match.patient.id }]);
      }
    }
    const result = await this.actOnMatch(manager, event, match);
    this.logger.debug({ result, eventType: event.type }, 'encounter event handled');
    return result;
  }

  private async actOnMatch(manager: EntityManager, event: EncounterEvent, match: MatchResult): Promise<EncounterResult> {
    switch (match.kind) {
      case 'unrostered':
        this.attribution.countUnattributed(event.type);
        return 'unrostered';
      case 'ambiguous':
        await this.reviews.open(manager, event, match.reason, match.candidates);
        return 'identity-review';
      case 'matched':
        return this.apply(manager, event, match.patient, match.method);
    }
  }

  /** Acts on an event for a known roster patient whose subject is linked; also used when an identity review is resolved. */
  async apply(manager: EntityManager, event: EncounterEvent, patient: RosterPatient, matchMethod: string): Promise<EncounterResult> {
    switch (event.type) {
      case 'encounter.admitted':
        return this.admit(manager, event, patient, matchMethod);
      case 'encounter.discharged':
        return this.discharge(manager, event, patient, matchMethod);
      case 'encounter.admission-cancelled':
        return this.cancelAdmission(manager, event, patient);
      case 'encounter.discharge-cancelled':
        return this.cancelDischarge(manager, event, patient);
      case 'encounter.transferred':
      case 'encounter.updated':
        return this.update(manager, event, patient);
      case 'patient.merged':
        return this.merge(manager, event);
    }
  }

  private cause(event: EncounterEvent): EventCause {
    return { subject: event.subject, correlationId: event.correlationId, causationId: event.id };
  }

  private async admit(manager: EntityManager, event: EventEnvelope<'encounter.admitted'>, patient: RosterPatient, matchMethod: string): Promise<EncounterResult> {
    const admittedAt = new Date(event.data.visit.admittedAt ?? event.occurredAt);
    const taskId = randomUUID();
    const assigneeId = await this.assigneeFor(manager, patient, event.data.patient.primaryLanguage);
    const created = await this.tasks.insert(manager, {
      id: taskId,
      patientId: patient.id,
      kind: 'admission-alert',
      episodeKey: event.correlationId,
      correlationId: event.correlationId,
      subject: event.subject,
      priority: 'routine',
      dischargedAt: null,
      dueAt: new Date(admittedAt.getTime() + this.config.DISCHARGE_WINDOW_HOURS * HOUR_MS),
      assigneeId,
      teamId: patient.teamId,
      sourceEventId: event.id,
      matchMethod,
      location: locationOf(event.data),
    });
    if (!created) {
      return 'duplicate-episode';
    }
    const holdId = await this.holds.place(manager, patient.id, event.correlationId, admittedAt);
    const cause = this.cause(event);
    await this.events.emit(manager, cause, 'pharmacy.task-created', {
      taskId,
      kind: 'admission-alert',
      patientId: patient.id,
      dueAt: new Date(admittedAt.getTime() + this.config.DISCHARGE_WINDOW_HOURS * HOUR_MS).toISOString(),
      priority: 'routine',
      assigneeId,
      teamId: patient.teamId,
      overdueOnArrival: false,
    });
    if (holdId) {
      await this.events.emit(manager, cause, 'pharmacy.refill-hold-placed', { holdId, patientId: patient.id, reason: 'inpatient' });
    }
    await this.events.notify(manager, cause, {
      notificationId: taskId,
      recipientId: assigneeId,
      teamId: patient.teamId,
      title: 'Patient admitted: specialty shipments paused',
      urgency: 'routine',
      dueAt: null,
      link: `/v1/tasks/${taskId}`,
      itemType: 'pharmacy-task',
      itemId: taskId,
    });
    await this.timeline.add(manager, {
      patientId: patient.id,
      occurredAt: admittedAt,
      team: 'hospital',
      kind: 'admitted',
      actorId: event.data.sendingFacility,
      summary: 'Admitted; refill hold placed',
      itemId: taskId,
      eventId: event.id,
    });
    return 'task-created';
  }

  private async discharge(
    manager: EntityManager,
    event: EventEnvelope<'encounter.discharged'>,
    patient: RosterPatient,
    matchMethod: string,
  ): Promise<EncounterResult> {
    const dischargedAt = dischargeTimeOf(event);
    if (Number.isNaN(dischargedAt.getTime())) {
      throw new UnprocessableEventError('DISCHARGE_TIME_INVALID', 'discharge event has no valid clinical time');
    }
    const plan = planForDischarge(event.data);
    const received = { episodeKey: event.correlationId, patientId: patient.id, teamId: patient.teamId, facility: event.data.sendingFacility, dischargedAt };
    if (plan.action === 'no-outreach') {
      await this.tasks.recordDischarge(manager, { ...received, outcome: 'expired', taskId: null });
      await this.expire(manager, event, patient);
      return 'expired';
    }
    // No consent to outreach, or no phone among the patient's channels: reconcile from records instead of calling.
    const mayCall = patient.outreachConsent && patient.contactChannels.includes('phone');
    const kind: TaskKind = plan.kind === 'discharge-call' && !mayCall ? 'chart-review' : plan.kind;
    const cause = this.cause(event);
    for (const holdId of await this.holds.release(manager, patient.id, 'discharged')) {
      await this.events.emit(manager, cause, 'pharmacy.refill-hold-released', { holdId, patientId: patient.id, reason: 'discharged' });
    }
    const recentAdmissions = await this.tasks.recentAdmissions(manager, patient.id, recentAdmissionsSince(dischargedAt));
    const now = new Date();
    const clock = taskClock(dischargedAt, now, this.config.DISCHARGE_WINDOW_HOURS, patient.hasSpecialtyTherapy || recentAdmissions > 1);
    const taskId = randomUUID();
    const assigneeId = await this.assigneeFor(manager, patient, event.data.patient.primaryLanguage);
    const created = await this.tasks.insert(manager, {
      id: taskId,
      patientId: patient.id,
      kind,
      episodeKey: event.correlationId,
      correlationId: event.correlationId,
      subject: event.subject,
      priority: clock.priority,
      dischargedAt,
      dueAt: clock.dueAt,
      assigneeId,
      teamId: patient.teamId,
      sourceEventId: event.id,
      matchMethod,
      location: event.data.visit.dischargedToLocation,
    });
    if (!created) {
      return 'duplicate-episode';
    }
    await this.tasks.recordDischarge(manager, { ...received, outcome: 'task', taskId });
    const deadlines = dischargeClocks(dischargedAt, clock.dueAt, calendarFor(event.data.sendingFacility, this.config));
    await this.tasks.startClocks(manager, taskId, deadlines);
    await this.tasks.scheduleTimers(
      manager,
      taskId,
      escalationTimers(now, dischargedAt, deadlines, {
        reminderMinutes: this.config.ESCALATION_REMINDER_MINUTES,
        teamLeadHours: this.config.ESCALATION_TEAM_LEAD_HOURS,
        clocks: this.config.ESCALATION_CLOCKS,
      }),
    );
    const dueAt = clock.dueAt.toISOString();
    await this.events.emit(manager, cause, 'pharmacy.task-created', {
      taskId,
      kind,
      patientId: patient.id,
      dueAt,
      priority: clock.priority,
      assigneeId,
      teamId: patient.teamId,
      overdueOnArrival: clock.overdueOnArrival,
    });
    await this.events.notify(manager, cause, {
      notificationId: taskId,
      recipientId: assigneeId,
      teamId: patient.teamId,
      title: clock.overdueOnArrival
        ? 'Discharge received late: follow-up already overdue'
        : kind === 'coordinate-with-facility'
          ? 'Patient discharged to a facility: coordinate care'
          : 'Patient discharged: call and reconcile medications',
      urgency: clock.priority === 'routine' ? 'routine' : 'urgent',
      dueAt,
      link: `/v1/tasks/${taskId}`,
      itemType: 'pharmacy-task',
      itemId: taskId,
    });
    await this.timeline.add(manager, {
      patientId: patient.id,
      occurredAt: dischargedAt,
      team: 'hospital',
      kind: 'discharged',
      actorId: event.data.sendingFacility,
      summary: `Discharged; pharmacist follow-up due ${dueAt}`,
      itemId: taskId,
      eventId: event.id,
    });
    return 'task-created';
  }

  /** Death (PV1-36 = 20 or the death indicator): no outreach, open work closed, holds released, the team told. */
  private async expire(manager: EntityManager, event: EncounterEvent, patient: RosterPatient): Promise<void> {
    const cause = this.cause(event);
    const open = await this.tasks.openForPatient(manager, patient.id);
    for (const task of open) {
      await this.tasks.cancel(manager, task.id, 'patient expired');
    }
    for (const holdId of await this.holds.release(manager, patient.id, 'expired')) {
      await this.events.emit(manager, cause, 'pharmacy.refill-hold-released', { holdId, patientId: patient.id, reason: 'expired' });
    }
    await this.events.emit(manager, cause, 'pharmacy.patient-expired', { patientId: patient.id, closedTaskIds: open.map((task) => task.id) });
    await this.events.notify(manager, cause, {
      notificationId: `expired-${event.id}`,
      recipientId: null,
      teamId: patient.teamId,
      title: 'Patient expired: outreach stopped, open items closed',
      urgency: 'routine',
      dueAt: null,
      link: `/v1/patients/${patient.id}/timeline`,
      itemType: 'patient',
      itemId: patient.id,
    });
    await this.timeline.add(manager, {
      patientId: patient.id,
      occurredAt: new Date(event.occurredAt),
      team: 'hospital',
      kind: 'expired',
      actorId: event.data.sendingFacility,
      summary: 'Patient expired; no outreach',
      eventId: event.id,
    });
  }

  private async cancelDischarge(manager: EntityManager, event: EventEnvelope<'encounter.discharge-cancelled'>, patient: RosterPatient): Promise<EncounterResult> {
    const cause = this.cause(event);
    const open = await this.tasks.openForEpisode(manager, event.correlationId, DISCHARGE_KINDS);
    for (const task of open) {
      await this.tasks.cancel(manager, task.id, 'discharge cancelled by the hospital (A13)');
      await this.events.emit(manager, cause, 'pharmacy.task-cancelled', { taskId: task.id, patientId: patient.id, reason: 'discharge-cancelled' });
      await this.events.notify(manager, cause, {
        notificationId: `cancelled-${task.id}`,
        recipientId: task.assigneeId,
        teamId: task.teamId,
        title: 'Discharge cancelled by the hospital: follow-up withdrawn',
        urgency: 'routine',
        dueAt: null,
        link: `/v1/tasks/${task.id}`,
        itemType: 'pharmacy-task',
        itemId: task.id,
      });
    }
    // The patient is an inpatient again: shipments stay paused.
    const holdId = await this.holds.place(manager, patient.id, event.correlationId, new Date(event.occurredAt));
    if (holdId) {
      await this.events.emit(manager, cause, 'pharmacy.refill-hold-placed', { holdId, patientId: patient.id, reason: 'inpatient' });
    }
    await this.timeline.add(manager, {
      patientId: patient.id,
      occurredAt: new Date(event.occurredAt),
      team: 'hospital',
      kind: 'discharge-cancelled',
      actorId: event.data.sendingFacility,
      summary: open.length > 0 ? 'Discharge cancelled; pharmacist follow-up withdrawn' : 'Discharge cancelled',
      eventId: event.id,
    });
    return open.length > 0 ? 'cancelled' : 'nothing-to-do';
  }

  private async cancelAdmission(manager: EntityManager, event: EventEnvelope<'encounter.admission-cancelled'>, patient: RosterPatient): Promise<EncounterResult> {
    const cause = this.cause(event);
    const open = await this.tasks.openForEpisode(manager, event.correlationId, ['admission-alert']);
    for (const task of open) {
      await this.tasks.cancel(manager, task.id, 'admission cancelled by the hospital (A11)');
      await this.events.emit(manager, cause, 'pharmacy.task-cancelled', { taskId: task.id, patientId: patient.id, reason: 'admission-cancelled' });
    }
    for (const holdId of await this.holds.release(manager, patient.id, 'admission-cancelled', event.correlationId)) {
      await this.events.emit(manager, cause, 'pharmacy.refill-hold-released', { holdId, patientId: patient.id, reason: 'admission-cancelled' });
    }
    await this.timeline.add(manager, {
      patientId: patient.id,
      occurredAt: new Date(event.occurredAt),
      team: 'hospital',
      kind: 'admission-cancelled',
      actorId: event.data.sendingFacility,
      summary: 'Admission cancelled; refill hold released',
      eventId: event.id,
    });
    return open.length > 0 ? 'cancelled' : 'nothing-to-do';
  }

  /** A02 transfer and A08 update: new location on open work; a death indicator ends outreach. */
  private async update(manager: EntityManager, event: EnvelopeOf<'encounter.transferred' | 'encounter.updated'>, patient: RosterPatient): Promise<EncounterResult> {
    if (event.data.patient.deceased) {
      await this.expire(manager, event, patient);
      return 'expired';
    }
    await this.tasks.relocateOpenWork(manager, event.correlationId, ['admission-alert', ...DISCHARGE_KINDS], locationOf(event.data));
    if (event.type === 'encounter.transferred') {
      await this.timeline.add(manager, {
        patientId: patient.id,
        occurredAt: new Date(event.occurredAt),
        team: 'hospital',
        kind: 'transferred',
        actorId: event.data.sendingFacility,
        summary: 'Transferred within the hospital',
        eventId: event.id,
      });
    }
    return 'updated';
  }

  /** A40: the hospital merged two records; work on the record merged away moves to the surviving one. */
  private async merge(manager: EntityManager, event: EventEnvelope<'patient.merged'>): Promise<EncounterResult> {
    const data: PatientMergedData = event.data;
    const [prior] = await this.roster.findByIdentifiers(manager, data.priorIdentifiers);
    const [surviving] = await this.roster.findByIdentifiers(manager, data.patient.identifiers);
    if (!prior && !surviving) {
      this.attribution.countUnattributed(event.type);
      return 'unrostered';
    }
    const target = surviving ?? prior;
    await this.roster.attachIdentifiers(manager, target.id, [...data.patient.identifiers, ...data.priorIdentifiers]);
    if (prior && surviving && prior.id !== surviving.id) {
      const moved = await this.tasks.moveOpenWork(manager, prior.id, surviving.id);
      await this.holds.moveHeld(manager, prior.id, surviving.id);
      this.logger.info({ movedTasks: moved.length }, 'merged patient work moved');
    }
    await this.timeline.add(manager, {
      patientId: target.id,
      occurredAt: new Date(event.occurredAt),
      team: 'hospital',
      kind: 'merged',
      actorId: data.sendingFacility,
      summary: 'Hospital merged two patient records; work moved to the surviving record',
      eventId: event.id,
    });
    return 'merged';
  }

  private async assigneeFor(manager: EntityManager, patient: RosterPatient, feedLanguage: string | null): Promise<string | null> {
    const decision = routeTask({
      assignedPharmacistId: patient.pharmacistId,
      assignedPharmacistActive: patient.pharmacistId !== null && (await this.pharmacists.isActive(manager, patient.pharmacistId)),
      patientLanguage: patient.preferredLanguage,
      feedLanguage,
      teamMembers: patient.teamId ? await this.pharmacists.teamMembers(manager, patient.teamId) : [],
    });
    return decision.assigneeId;
  }
}
