import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { KafkaEventsServer, type RunPreparer } from '@sc/messaging';
import type { EntityManager } from '@sc/persistence';
import { RosterRepository } from '../roster/roster.repository';
import type { EncounterEvent } from './encounter-work.service';

/** Finds the roster candidates of a whole run's encounter patients in one statement before their handlers match them one by one. */
@Injectable()
export class EncounterRunPreparer implements RunPreparer, OnModuleInit {
  constructor(
    private readonly server: KafkaEventsServer,
    private readonly roster: RosterRepository,
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
  }
}
