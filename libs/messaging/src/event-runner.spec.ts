import { EventHeaders, createEnvelope, type EventEnvelope } from '@sc/contracts';
import { MetricsRegistry } from '@sc/observability';
import { EventRunner, type EventHandler, type EventRunnerOptions } from './event-runner';
import type { ConsumedMessage, PartitionBatch } from './kafka-consumer';
import { UnprocessableEventError } from './event-failure';

const request = (title: string, subject = 'pt-1'): EventEnvelope<'notification.requested'> =>
  createEnvelope(
    'notification.requested',
    { notificationId: title, recipientId: 'u1', teamId: null, title, urgency: 'routine', dueAt: null, link: '/x', itemType: 't', itemId: title },
    { source: 'test', subject, occurredAt: '2026-12-01T00:00:00Z', correlationId: title },
  );

function batchOf(values: Array<{ value: string; type?: string }>): PartitionBatch & { resolved: string[] } {
  const messages: ConsumedMessage[] = values.map(({ value, type }, index) => ({
    topic: 't',
    partition: 0,
    offset: String(index),
    key: null,
    value: Buffer.from(value),
    headers: type ? { [EventHeaders.eventType]: type } : ({} as Record<string, string>),
  }));
  const resolved: string[] = [];
  return { topic: 't', partition: 0, messages, isActive: () => true, heartbeat: async () => undefined, resolve: (offset) => void resolved.push(offset), resolved };
}

const titleOf = (event: EventEnvelope): string => (event.data as { title: string }).title;
const encoded = (event: EventEnvelope) => ({ value: JSON.stringify(event), type: event.type });

describe(EventRunner.name, () => {
  let handled: string[];
  let transactions: number;
  let deadLettered: Array<{ offset: string; attempts: number }>;

  /** A runner whose one handler takes each event of its runs in turn. */
  const runner = (perEvent: (event: EventEnvelope) => Promise<void>, overrides: Partial<EventRunnerOptions> = {}): EventRunner => {
    const handler: EventHandler = (run) => run.each(perEvent);
    return runnerWith(handler, overrides);
  };

  const runnerWith = (handler: EventHandler, overrides: Partial<EventRunnerOptions> = {}): EventRunner =>
    new EventRunner({
      groupId: 'g',
      handlerFor: (type) => (type === 'notification.requested' ? handler : undefined),
      relevance: { concerns: () => true },
      sharedTransaction: async (work) => {
        transactions += 1;
        const before = handled.length;
        try {
          return await work();
        } catch (error) {
          handled.length = before;
          throw error;
        }
      },
      eventsPerTransaction: 10,
      maxAttempts: 3,
      retryBaseMs: 1,
      deadLetter: async (message, _error, attempts) => void deadLettered.push({ offset: message.offset, attempts }),
      sleep: async () => undefined,
      ...overrides,
    });

  beforeEach(() => {
    handled = [];
    transactions = 0;
    deadLettered = [];
  });

  it('skips, unparsed, a message whose event-type header has no handler', async () => {
    const batch = batchOf([{ value: 'not json at all', type: 'encounter.discharged' }]);
    const next: string[] = [];
    await runner(async (event) => void handled.push(event.id)).handleBatch(batch, async (offset) => void next.push(offset));
    expect(deadLettered).toEqual([]);
    expect(transactions).toBe(0);
    expect(batch.resolved).toEqual(['0']);
    expect(next).toEqual(['1']);
  });

  it('opens no transaction for events that concern nobody served, and still moves past them', async () => {
    const events = [request('a', 'stranger'), request('b', 'stranger')];
    const batch = batchOf(events.map(encoded));
    const next: string[] = [];
    await runner(async (event) => void handled.push(event.id), { relevance: { concerns: (event) => event.subject !== 'stranger' } }).handleBatch(batch, async (offset) => void next.push(offset));
    expect(handled).toEqual([]);
    expect(transactions).toBe(0);
    expect(next).toEqual(['2']);
  });

  it('handles the relevant events of a batch in one shared transaction, in order', async () => {
    const events = [request('a'), request('b', 'stranger'), request('c')];
    await runner(async (event) => void handled.push(titleOf(event)), { relevance: { concerns: (event) => event.subject !== 'stranger' } }).handleBatch(
      batchOf(events.map(encoded)),
      async () => undefined,
    );
    expect(handled).toEqual(['a', 'c']);
    expect(transactions).toBe(1);
  });

  it('gives the relevant events of a batch to their handler as one run, in order', async () => {
    const runs: string[][] = [];
    const events = [request('a'), request('b'), request('c')];
    await runnerWith(async (run) => void runs.push(run.events.map(titleOf))).handleBatch(batchOf(events.map(encoded)), async () => undefined);
    expect(runs).toEqual([['a', 'b', 'c']]);
  });

  it('hands on only the events not claimed before, and one copy of an event repeated in its run', async () => {
    const events = [request('a'), request('seen'), request('c')];
    const claimed: string[][] = [];
    const metrics = new MetricsRegistry();
    await runner(async (event) => void handled.push(titleOf(event)), {
      metrics,
      claim: async (run) => {
        claimed.push(run.map((event) => event.id));
        return new Set(run.filter((event) => event.id !== events[1].id).map((event) => event.id));
      },
    }).handleBatch(batchOf([...events, events[0]].map(encoded)), async () => undefined);
    expect(claimed).toEqual([[events[0].id, events[1].id, events[2].id, events[0].id]]);
    expect(handled).toEqual(['a', 'c']);
    expect(await metrics.render()).toContain('sc_events_consumed_total{outcome="duplicate",type="notification.requested"} 2\n');
  });

  it('rolls a run back when one handler fails, then handles its events one at a time and dead-letters the poison one after its attempts', async () => {
    const tries = new Map<string, number>();
    const handler = async (event: EventEnvelope): Promise<void> => {
      tries.set(titleOf(event), (tries.get(titleOf(event)) ?? 0) + 1);
      handled.push(titleOf(event));
      if (titleOf(event) === 'poison') {
        throw new Error('cannot handle this one');
      }
    };
    const events = [request('a'), request('poison'), request('c')];
    await runner(handler, { sharedTransaction: undefined }).handleBatch(batchOf(events.map(encoded)), async () => undefined);
    expect(deadLettered).toEqual([{ offset: '1', attempts: 3 }]);
    expect(tries.get('a')).toBe(1);

    handled = [];
    deadLettered = [];
    tries.clear();
    await runner(handler).handleBatch(batchOf(events.map(encoded)), async () => undefined);
    expect(tries.get('a')).toBe(2);
    expect(tries.get('poison')).toBe(1 + 3);
    expect(deadLettered).toEqual([{ offset: '1', attempts: 3 }]);
  });

  it('dead-letters at once what cannot be handled: an unparsable message, an unprocessable event', async () => {
    const unprocessable = request('bad');
    const batch = batchOf([{ value: '{"broken": ' }, encoded(unprocessable), encoded(request('ok'))]);
    await runner(async (event) => {
      if (event.id === unprocessable.id) {
        throw new UnprocessableEventError('EVENT_INVALID', 'no such recipient');
      }
      handled.push(titleOf(event));
    }).handleBatch(batch, async () => undefined);
    expect(deadLettered).toEqual([
      { offset: '0', attempts: 1 },
      { offset: '1', attempts: 1 },
    ]);
    expect(handled).toEqual(['ok']);
  });

  it('waits out an unreachable database without using up attempts', async () => {
    let calls = 0;
    await runner(
      async () => {
        calls += 1;
        if (calls <= 5) {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        }
      },
      { sharedTransaction: undefined },
    ).handleBatch(batchOf([encoded(request('a'))]), async () => undefined);
    expect(calls).toBe(6);
    expect(deadLettered).toEqual([]);
  });
});
