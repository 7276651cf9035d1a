import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, HandlesEvent, claimInbox, type RunPreparer } from '@sc/messaging';
import { memoInTransaction, rememberInTransaction, type EntityManager, type UnitOfWork } from '@sc/persistence';
import { eventually } from '@sc/testing';
import { consumerTestBed, notificationRequest } from './support/consumer-test-bed';

class PreparedTable1700000000005 implements MigrationInterface {
  name = 'PreparedTable1700000000005';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query('CREATE TABLE handled (event_id uuid PRIMARY KEY, title text NOT NULL, looked_up text NOT NULL)');
  }
  async down(): Promise<void> {}
}

let unitOfWork: UnitOfWork;
const preparedRuns: string[][] = [];

/** Looks up every event's answer in one go; refuses a run holding an event titled 'unpreparable'. */
const preparer: RunPreparer = {
  async prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    if (events.some((event) => (event as EventEnvelope<'notification.requested'>).data.title === 'unpreparable')) {
      throw new Error('the lookup failed');
    }
    preparedRuns.push(events.map((event) => event.id));
    for (const event of events) {
      rememberInTransaction(manager, `answer:${event.id}`, 'prepared');
    }
  },
};

/** Records whether the answer it needed was prepared for it or looked up on its own. */
@Controller()
class AnsweringHandler {
  @HandlesEvent('notification.requested')
  async onRequested(@Payload() event: EventEnvelope<'notification.requested'>): Promise<void> {
    await unitOfWork.run(async (manager) => {
      if (!(await claimInbox(manager, 'test', event))) {
        return;
      }
      const answer = await memoInTransaction(manager, `answer:${event.id}`, () => Promise.resolve('looked up alone'));
      await manager.query('INSERT INTO handled (event_id, title, looked_up) VALUES ($1, $2, $3)', [event.id, event.data.title, answer]);
    });
  }
}

describe('KafkaEventsServer run preparers', () => {
  const bed = consumerTestBed('prepared', PreparedTable1700000000005);

  it('prepares each run’s events before their handlers, and handles a run whose preparation fails one event at a time, unprepared', async () => {
    const prepared = Array.from({ length: 30 }, (_, index) => notificationRequest('ok', index));
    const unpreparable = notificationRequest('unpreparable', 30);
    const events = [...prepared, unpreparable];
    // Waiting before the consumer joins, the backlog arrives as one batch: runs of 20 and 11.
    await bed.produceBacklog(events);
    unitOfWork = bed.unitOfWork;
    const server = await bed.startConsumer(
      { maxAttempts: 3, retryBaseMs: 20, sharedTransaction: (work) => unitOfWork.run(work), eventsPerTransaction: 20, inboxConsumer: 'test' },
      AnsweringHandler,
      (consumer) => consumer.prepareRunsWith(preparer),
    );

    const rowsOf = async (): Promise<Array<{ event_id: string; title: string; looked_up: string }>> => bed.dataSource.query('SELECT event_id, title, looked_up FROM handled');
    await eventually(async () => ((await rowsOf()).length === events.length ? true : undefined), 60_000);
    const rows = await rowsOf();
    const answers = new Map(rows.map((row) => [row.event_id, row.looked_up]));

    // The first run (20 events) was prepared in one call and its handlers used what it found.
    expect(preparedRuns[0]).toEqual(prepared.slice(0, 20).map((event) => event.id));
    expect(prepared.slice(0, 20).map((event) => answers.get(event.id))).toEqual(Array(20).fill('prepared'));
    // The run holding the unpreparable event rolled back and its events were handled alone, once each.
    expect([...prepared.slice(20), unpreparable].map((event) => answers.get(event.id))).toEqual(Array(11).fill('looked up alone'));
    expect(rows).toHaveLength(events.length);
    expect(server.counters.runsRolledBack).toBe(1);
  });
});
