import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, HandlesEvent, claimInbox } from '@sc/messaging';
import type { UnitOfWork } from '@sc/persistence';
import { eventually } from '@sc/testing';
import { consumerTestBed, notificationRequest } from './support/consumer-test-bed';

class HandledInOrderTable1700000000003 implements MigrationInterface {
  name = 'HandledInOrderTable1700000000003';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query('CREATE TABLE handled (position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, partition int NOT NULL, sequence int NOT NULL, tx bigint NOT NULL)');
  }
  async down(): Promise<void> {}
}

const PARTITIONS = 6;
const PER_PARTITION = 20;
let unitOfWork: UnitOfWork;

/** Records each event in the transaction it joins: its partition, its place in that partition, and the transaction. */
@Controller()
class OrderRecordingHandler {
  @HandlesEvent('notification.requested')
  async onRequested(@Payload() event: EventEnvelope<'notification.requested'>): Promise<void> {
    await unitOfWork.run(async (manager) => {
      if (!(await claimInbox(manager, 'test', event))) {
        return;
      }
      const index = Number(event.data.itemId);
      await manager.query('INSERT INTO handled (event_id, partition, sequence, tx) VALUES ($1, $2, $3, txid_current())', [
        event.id,
        index % PARTITIONS,
        Math.floor(index / PARTITIONS),
      ]);
    });
  }
}

describe('KafkaEventsServer runs across partitions', () => {
  const bed = consumerTestBed('partition_runs', HandledInOrderTable1700000000003);

  it('merges the runs of partitions waiting at the same time into one transaction and keeps each partition in order', async () => {
    const events = Array.from({ length: PARTITIONS * PER_PARTITION }, (_, index) => notificationRequest('ok', index));
    await bed.produceBacklog(events, (index) => index % PARTITIONS);
    unitOfWork = bed.unitOfWork;
    await bed.startConsumer(
      {
        maxAttempts: 3,
        retryBaseMs: 20,
        sharedTransaction: (work) => unitOfWork.run(work),
        eventsPerTransaction: 50,
        transactionsInFlight: 1,
        partitionsConsumedConcurrently: PARTITIONS,
        inboxConsumer: 'test',
      },
      OrderRecordingHandler,
    );
    await eventually(async () => {
      const [{ count }]: Array<{ count: number }> = await bed.dataSource.query('SELECT count(*)::int AS count FROM handled');
      return count === events.length ? true : undefined;
    }, 60_000);

    const rows: Array<{ partition: number; sequence: number; tx: string }> = await bed.dataSource.query('SELECT partition, sequence, tx FROM handled ORDER BY position');
    // Each partition's events were handled in the order they were produced.
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      expect(rows.filter((row) => row.partition === partition).map((row) => row.sequence)).toEqual(Array.from({ length: PER_PARTITION }, (_, sequence) => sequence));
    }
    // Transactions held the events of several partitions: fewer commits than partitions, and
    // none with more events than a run may hold.
    const partitionsByTransaction = new Map<string, Set<number>>();
    const eventsByTransaction = new Map<string, number>();
    for (const { partition, tx } of rows) {
      partitionsByTransaction.set(tx, (partitionsByTransaction.get(tx) ?? new Set()).add(partition));
      eventsByTransaction.set(tx, (eventsByTransaction.get(tx) ?? 0) + 1);
    }
    expect(Math.max(...[...partitionsByTransaction.values()].map((partitions) => partitions.size))).toBeGreaterThan(1);
    expect(partitionsByTransaction.size).toBeLessThan(PARTITIONS);
    expect(Math.max(...eventsByTransaction.values())).toBeLessThanOrEqual(50);
  });
});
