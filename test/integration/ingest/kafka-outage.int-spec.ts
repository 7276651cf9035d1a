import type { INestApplication } from '@nestjs/common';
import net from 'node:net';
import { Client } from 'pg';
import { TopicNames } from '@sc/contracts';
import { createKafka, deleteTopicsWithPrefix, provisionTopics } from '@sc/messaging';
import { MllpClient } from '@sc/mllp';
import { databaseUrl, dropRunDatabases, eventually, freePort, kafkaBrokers, newRunId } from '@sc/testing';
import { adt } from '../../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { MllpListener } from '../../../apps/adt-ingest/src/mllp/mllp.listener';
import { TopicRecorder } from '../../e2e/support/topic-recorder';
import { ackOf, closeIngestApp, createIngestApp } from './support/ingest-harness';

/** A door to the broker: closed (nothing listens, like a broker that is down) until opened, then a plain TCP relay. */
class BrokerDoor {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(this.target);
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async close(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('adt-ingest while Kafka is unreachable', () => {
  const runId = newRunId();
  const prefix = `${runId}.`;
  const topics = new TopicNames(prefix);
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });
  let door: BrokerDoor;
  let app: INestApplication;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    await provisionTopics(kafka, topics);
    const [host, port] = kafkaBrokers()[0].split(':');
    // Only the seed broker goes through the door: once open, the client learns the real address from metadata.
    door = new BrokerDoor(await freePort(), { host, port: Number(port) });
    app = await createIngestApp(runId, `127.0.0.1:${door.port}`);
    recorder = new TopicRecorder(kafka, [topics.of('encounters')], `${runId}.reader`);
    await recorder.start();
  }, 60_000);

  afterAll(async () => {
    await recorder?.stop();
    await closeIngestApp(app);
    await door?.close();
    await dropRunDatabases(runId);
    await deleteTopicsWithPrefix(kafka, prefix);
  }, 60_000);

  it('keeps acknowledging, holds the events in the outbox, and publishes them in order per patient once Kafka is back', async () => {
    const client = await MllpClient.connect({ port: app.get(MllpListener).port ?? 0 });
    const sent: Array<{ patient: string; controlId: string }> = [];
    for (let index = 0; index < 30; index += 1) {
      const patient = `KO-P${index % 3}`;
      const controlId = `KO-${index}`;
      const trigger = index < 3 ? 'A01' : 'A08';
      const ack = ackOf(await client.send(adt({ trigger, controlId, mrn: patient, visit: `V-${patient}`, eventTime: `202611201${String(index).padStart(3, '0')}00-0600` })));
      expect(ack).toMatchObject({ code: 'AA', controlId });
      sent.push({ patient, controlId });
    }
    await client.close();

    const db = new Client({ connectionString: databaseUrl(runId, 'adt-ingest') });
    await db.connect();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { rows } = await db.query<{ waiting: string }>('SELECT count(*) AS waiting FROM outbox_pending');
      expect(Number(rows[0].waiting)).toBe(30);
      expect(recorder.events).toHaveLength(0);

      await door.open();

      await eventually(async () => (recorder.events.length >= 30 ? true : undefined), 45_000, 200);
      for (const patient of ['KO-P0', 'KO-P1', 'KO-P2']) {
        const published = recorder.events
          .filter((event) => event.correlationId === `enc:LGH:V-${patient}`)
          .map((event) => (event.data as { messageControlId: string }).messageControlId);
        expect(published).toEqual(sent.filter((message) => message.patient === patient).map((message) => message.controlId));
      }
      await eventually(async () => {
        const { rows: left } = await db.query<{ waiting: string }>('SELECT count(*) AS waiting FROM outbox_pending');
        return Number(left[0].waiting) === 0 ? true : undefined;
      });
    } finally {
      await db.end();
    }
  }, 90_000);
});
