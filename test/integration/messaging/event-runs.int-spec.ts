import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EnvelopeOf } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, HandlesEvent, claimInbox, type EventRun } from '@sc/messaging';
import { eventually } from '@sc/testing';
import { encounterEvent } from '../../e2e/support/encounter-events';
import { consumerTestBed } from './support/consumer-test-bed';

class MessagingTables1700000000003 implements MigrationInterface {
  name = 'MessagingTables1700000000003';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
  }
  async down(): Promise<void> {}
}

type AdmitOrDischarge = EnvelopeOf<'encounter.admitted' | 'encounter.discharged'>;
const runs: string[][] = [];

@Controller()
class RunRecorder {
  @HandlesEvent('encounter.admitted', 'encounter.discharged')
  async onEncounters(@Payload() run: EventRun<AdmitOrDischarge>): Promise<void> {
    runs.push(run.events.map((event) => event.id));
  }
}

describe('KafkaEventsServer runs', () => {
  const bed = consumerTestBed('runs', MessagingTables1700000000003);

  it('gives a method the consecutive events of all its types as one run, each event once', async () => {
    const events = Array.from({ length: 40 }, (_, index) =>
      encounterEvent(index % 2 === 0 ? 'encounter.admitted' : 'encounter.discharged', { mrn: `MRN-RUN-${index}`, visit: `V-RUN-${index}` }),
    );
    await bed.produceBacklog([...events, events[5]]);
    const { unitOfWork } = bed;
    await bed.startConsumer(
      {
        maxAttempts: 3,
        retryBaseMs: 20,
        sharedTransaction: (work) => unitOfWork.run(() => work()),
        claim: (run) => unitOfWork.run((manager) => claimInbox(manager, 'runs', run)),
        eventsPerTransaction: 50,
      },
      RunRecorder,
    );
    await eventually(async () => (runs.flat().length >= events.length ? true : undefined), 30_000);

    expect(runs.flat()).toEqual(events.map((event) => event.id));
    // A fetch may split the backlog, but admissions and discharges share runs.
    expect(runs.length).toBeLessThan(events.length / 2);
  });
});
