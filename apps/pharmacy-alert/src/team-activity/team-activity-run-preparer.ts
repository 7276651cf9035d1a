import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { KafkaEventsServer, type RunPreparer } from '@sc/messaging';
import type { EntityManager } from '@sc/persistence';
import { RosterRepository } from '../roster/roster.repository';
import { isTeamActivity } from './team-activity.service';

/**
 * Before a run's handlers start, finds the roster patients of all its care-gap and nursing events
 * in one statement: each of a discharge's gaps and referrals is an event of its own, and a lookup
 * each cost a round trip per event. Links the run's encounters learn later are answered from the
 * transaction (see RosterRepository.rememberSubject).
 */
@Injectable()
export class TeamActivityRunPreparer implements RunPreparer, OnModuleInit {
  constructor(
    private readonly server: KafkaEventsServer,
    private readonly roster: RosterRepository,
  ) {}

  onModuleInit(): void {
    this.server.prepareRunsWith(this);
  }

  async prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    await this.roster.prefetchPatientsOfSubjects(
      manager,
      events.filter(isTeamActivity).map((event) => event.subject),
    );
  }
}
