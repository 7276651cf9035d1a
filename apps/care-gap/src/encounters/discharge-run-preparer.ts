import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { KafkaEventsServer, soleFreshEventsInRun, type RunPreparer } from '@sc/messaging';
import type { EntityManager } from '@sc/persistence';
import { CONSUMER } from '../context/context.service';
import { ContextRepository } from '../context/context.repository';
import { GapRepository } from '../gaps/gap.repository';
import { dischargeRecordOf } from './discharge-destination';

/**
 * Before a run's handlers start, records its discharges, then reads their patients' context and
 * open gaps, three statements for the run instead of three per discharge. Only a discharge whose
 * patient no other event of the run names is prepared: recording it early cannot then reorder
 * what another handler of that patient sees. (A plan-wide event earlier in the run, a benefit
 * change, may see the discharge's plan early; the discharge's own evaluation then finds the
 * coverage already current, and the patient ends in the same state.) The others, and any the
 * consumer handled before, go the usual way.
 */
@Injectable()
export class DischargeRunPreparer implements RunPreparer, OnModuleInit {
  constructor(
    private readonly server: KafkaEventsServer,
    private readonly context: ContextRepository,
    private readonly gaps: GapRepository,
  ) {}

  onModuleInit(): void {
    this.server.prepareRunsWith(this);
  }

  async prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    const discharges = soleFreshEventsInRun(manager, CONSUMER, events, 'encounter.discharged');
    if (discharges.length === 0) {
      return;
    }
    const subjects = discharges.map((event) => event.subject);
    await this.context.recordDischarges(manager, discharges.map(dischargeRecordOf));
    await this.context.loadContexts(manager, subjects);
    await this.gaps.openForSubjects(manager, subjects);
  }
}
