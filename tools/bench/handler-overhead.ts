/**
 * What Nest's per-event handler pipeline (context, pipes, filters, rxjs) costs beside calling the
 * handler method directly, without a broker: `node dist/tools/bench/handler-overhead.js`.
 * It decides whether the event transport should bypass Nest on its hot path.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { createEnvelope, type EventEnvelope } from '@sc/contracts';
import { HandlesEvent, KafkaEventsServer, RethrowEventErrorsFilter } from '@sc/messaging';
import { TopicNames } from '@sc/contracts';

let sum = 0;
@Controller()
class CountingHandler {
  @HandlesEvent('notification.requested')
  async on(@Payload() e: EventEnvelope<'notification.requested'>): Promise<void> { sum += e.version; }
}
@Module({ controllers: [CountingHandler] })
class BenchModule {}

async function main(): Promise<void> {
  const server = new KafkaEventsServer({ kafka: {} as never, topics: new TopicNames(''), groupId: 'g', maxAttempts: 1, retryBaseMs: 1 });
  (server as unknown as { listen: (cb: () => void) => void }).listen = (cb) => cb();
  const app = await NestFactory.createMicroservice(BenchModule, { strategy: server, logger: false });
  app.useGlobalFilters(new RethrowEventErrorsFilter());
  await app.listen();
  const handler = (server as unknown as { handlerFor(t: string): (e: unknown, a: unknown) => Promise<void> }).handlerFor('notification.requested');
  const e = createEnvelope('notification.requested', { notificationId: 'x', recipientId: 'u', teamId: null, title: 't', urgency: 'routine', dueAt: null, link: '/', itemType: 't', itemId: 'x' }, { source: 's', subject: 's', occurredAt: 'x', correlationId: 'c' });
  const direct = new CountingHandler();
  for (const round of [1, 2, 3]) {
    let t = performance.now();
    for (let i = 0; i < 200_000; i++) {await handler(e, { topic: 't', partition: 0, offset: '0', attempt: 1 });}
    const viaNest = (performance.now() - t) / 200;
    t = performance.now();
    for (let i = 0; i < 200_000; i++) {await direct.on(e);}
    const directMicros = (performance.now() - t) / 200;
    console.log(`round ${round}: via Nest ${viaNest.toFixed(2)} µs/event, direct ${directMicros.toFixed(2)} µs/event`);
  }
  await app.close();
  console.log(`(checksum ${sum})`);
}
void main();
