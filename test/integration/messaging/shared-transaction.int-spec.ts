import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, HandlesEvent, claimInbox, type EventRun } from '@sc/messaging';
import type { UnitOfWork } from '@sc/persistence';
import { MetricsRegistry } from '@sc/observability';
import { eventually } from '@sc/testing';
import { consumerTestBed, notificationRequest } from './support/consumer-test-bed';

class HandledEventsTable1700000000002 implements MigrationInterface {
  name = 'HandledEventsTable1700000000002';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query('CREATE TABLE handled (event_id uuid PRIMARY KEY, title text NOT NULL, tx bigint NOT NULL)');
  }
  async down(): Promise<void> {}
}

const afterCommitEffects: string[] = [];
const attempts = new Map<string, number>();
let unitOfWork: UnitOfWork;

/** Writes one row per event in the transaction it joins; the title picks a failure to play. */
@Controller()
class RecordingHandler {
  @HandlesEvent('notification.requested')
  async onRequested(@Payload() run: EventRun<EventEnvelope<'notification.requested'>>): Promise<void> {
    await run.each((event) => this.handle(event));
  }

  private async handle(event: EventEnvelope<'notification.requested'>): Promise<void> {
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    if (event.data.title === 'database-down' && attempt <= 6) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    }
    await unitOfWork.run(async (manager) => {
      await manager.query('INSERT INTO handled (event_id, title, tx) VALUES ($1, $2, txid_current())', [event.id, event.data.title]);
      if (event.data.title === 'poison') {
        throw new Error('cannot handle this one');
      }
      await unitOfWork.afterCommit(() => {
        afterCommitEffects.push(event.id);
      });
    });
  }
}

describe('KafkaEventsServer with a shared transaction', () => {
  const bed = consumerTestBed('shared', HandledEventsTable1700000000002);

  it('handles a backlog in a few transactions (a republished event once), rolls back a run with a poison event and handles its events one by one, and waits out an unreachable database', async () => {
    const before = Array.from({ length: 60 }, (_, index) => notificationRequest('ok', index));
    const poison = notificationRequest('poison', 60);
    const databaseDown = notificationRequest('database-down', 61);
    const after = Array.from({ length: 40 }, (_, index) => notificationRequest('ok', 62 + index));
    // before[10] again inside the first run, as the outbox relay republishes after a crash.
    const events = [...before.slice(0, 20), before[10], ...before.slice(20), poison, databaseDown, ...after];
    // One key, one partition: the backlog is waiting before the consumer joins, so it arrives in batches.
    await bed.produceBacklog(events);
    unitOfWork = bed.unitOfWork;
    const metrics = new MetricsRegistry();
    await bed.startConsumer(
      {
        maxAttempts: 3,
        retryBaseMs: 20,
        sharedTransaction: (work) => unitOfWork.run(() => work()),
        claim: (run) => unitOfWork.run((manager) => claimInbox(manager, 'test', run)),
        eventsPerTransaction: 50,
        metrics,
      },
      RecordingHandler,
    );
    const last = after[after.length - 1];
    await eventually(async () => (afterCommitEffects.includes(last.id) ? true : undefined), 60_000);

    const rows: Array<{ event_id: string; title: string; tx: string }> = await bed.dataSource.query('SELECT event_id, title, tx FROM handled');
    const okIds = [...before, databaseDown, ...after].map((event) => event.id);
    // Every good event written once, the poison event's row rolled back with it.
    expect(rows.map((row) => row.event_id).sort()).toEqual([...okIds].sort());
    // The run before the failures shared its transactions: fifty events, at most two commits.
    const firstRun = new Set(before.slice(0, 50).map((event) => event.id));
    expect(new Set(rows.filter((row) => firstRun.has(row.event_id)).map((row) => row.tx)).size).toBeLessThanOrEqual(2);
    // After-commit effects only for committed work, once each, and none for the poison event.
    expect([...afterCommitEffects].sort()).toEqual([...okIds].sort());
    // The poison event was tried in its run (unless a fetch left it alone), then on its own up to
    // maxAttempts, then dead-lettered.
    expect([3, 1 + 3]).toContain(attempts.get(poison.id));
    // The unreachable database did not use up attempts: seven tries, handled, not dead-lettered.
    expect(attempts.get(databaseDown.id)).toBe(7);
    const exposed = await metrics.render();
    expect(exposed).toContain('sc_events_consumed_total{outcome="dead-lettered",type="notification.requested"} 1\n');
    // The republished copy was claimed before and reached no handler.
    expect(exposed).toContain('sc_events_consumed_total{outcome="duplicate",type="notification.requested"} 1\n');
    // The poison and the unreachable database each rolled back the run they were in (one run if together).
    expect(exposed).toMatch(/sc_event_runs_total\{outcome="rolled-back"\} [12]\n/);
  });
});
