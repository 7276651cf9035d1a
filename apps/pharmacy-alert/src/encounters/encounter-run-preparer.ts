import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEnvelope, TaskKind } from '@sc/contracts';
import { KafkaEventsServer, soleFreshEventsInRun, type RunPreparer } from '@sc/messaging';
import type { EntityManager } from '@sc/persistence';
import { PatientMatcher } from '../matching/patient-matcher';
import { RosterRepository } from '../roster/roster.repository';
import { DISCHARGE_KINDS, dischargeTimeOf, recentAdmissionsSince } from '../tasks/discharge-plan';
import { RefillHoldRepository } from '../tasks/refill-hold.repository';
import { TaskRepository, type EpisodeLookup } from '../tasks/task.repository';
import { CONSUMER, type EncounterEvent } from './encounter-work.service';

/**
 * Before a run's handlers start, finds the roster candidates of all its encounter patients in one
 * statement; then, for its discharges and admissions of matched patients, locks their held refill
 * holds (and an admitted episode's hold, held or not) and looks up their episodes' tasks and
 * recent admissions, two statements for the run. Each discharge's handler then releases holds and
 * creates its task at commit instead of three round trips of its own, and each admission's
 * handler creates its alert and places its hold at commit instead of two. Only an event whose
 * patient no other event of the run names, and that the consumer has not handled before, is
 * looked up; a merge in the run makes the repositories forget what they were told about the
 * patients it moves.
 */
/** The task kinds a prepared episode's handler may create: a discharge's, or an admission alert. */
const PREPARED_KINDS: readonly TaskKind[] = [...DISCHARGE_KINDS, 'admission-alert'];

@Injectable()
export class EncounterRunPreparer implements RunPreparer, OnModuleInit {
  constructor(
    private readonly server: KafkaEventsServer,
    private readonly roster: RosterRepository,
    private readonly matcher: PatientMatcher,
    private readonly holds: RefillHoldRepository,
    private readonly tasks: TaskRepository,
  ) {}

  onModuleInit(): void {
    this.server.prepareRunsWith(this);
  }

  async prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    // Every encounter event this service handles names its patient, except a merge.
    const encounters = events.filter((event): event is Exclude<EncounterEvent, { type: 'patient.merged' }> => event.type.startsWith('encounter.'));
    await this.roster.prefetchMatchCandidates(
      manager,
      encounters.map((event) => event.data.patient),
    );
    const lookups: Array<EpisodeLookup & { admission: boolean }> = [];
    for (const discharge of soleFreshEventsInRun(manager, CONSUMER, events, 'encounter.discharged')) {
      const match = await this.matcher.match(manager, discharge.data.patient);
      const dischargedAt = dischargeTimeOf(discharge);
      if (match.kind === 'matched' && !Number.isNaN(dischargedAt.getTime())) {
        lookups.push({ patientId: match.patient.id, episodeKey: discharge.correlationId, admissionsSince: recentAdmissionsSince(dischargedAt), admission: false });
      }
    }
    for (const admission of soleFreshEventsInRun(manager, CONSUMER, events, 'encounter.admitted')) {
      const match = await this.matcher.match(manager, admission.data.patient);
      if (match.kind === 'matched') {
        // An admission reads no admission history; the lookup's window only has to be valid.
        lookups.push({ patientId: match.patient.id, episodeKey: admission.correlationId, admissionsSince: new Date(admission.occurredAt), admission: true });
      }
    }
    // Two subjects may name one roster patient (two hospitals' records); such a patient goes the usual way.
    const patientCount = new Map<string, number>();
    for (const lookup of lookups) {
      patientCount.set(lookup.patientId, (patientCount.get(lookup.patientId) ?? 0) + 1);
    }
    const prepared = lookups.filter((lookup) => patientCount.get(lookup.patientId) === 1);
    await this.holds.prepareHolds(
      manager,
      prepared.map((lookup) => lookup.patientId),
      prepared.filter((lookup) => lookup.admission),
    );
    await this.tasks.prepareEpisodes(manager, prepared, PREPARED_KINDS);
  }
}
