import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { TopicNames } from '@sc/contracts';
import { createKafka, deleteTopicsWithPrefix, provisionTopics } from '@sc/messaging';
import { MllpClient } from '@sc/mllp';
import { databaseUrl, dropRunDatabases, kafkaBrokers, newRunId } from '@sc/testing';
import { SERVICE_CONFIG } from '@sc/platform';
import { adt } from '../../../apps/adt-ingest/src/__fixtures__/adt-builder';
import type { AdtIngestConfig } from '../../../apps/adt-ingest/src/config';
import { readInbound, type AcceptedInbound } from '../../../apps/adt-ingest/src/ingest/inbound-message';
import { IngestBatchService } from '../../../apps/adt-ingest/src/ingest/ingest-batch.service';
import { MllpListener } from '../../../apps/adt-ingest/src/mllp/mllp.listener';
import { ackOf, closeIngestApp, createIngestApp } from './support/ingest-harness';

describe('adt-ingest group commit round trips', () => {
  const runId = newRunId();
  const prefix = `${runId}.`;
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });
  let app: INestApplication;

  beforeAll(async () => {
    await provisionTopics(kafka, new TopicNames(prefix));
    app = await createIngestApp(runId, kafkaBrokers().join(','));
  }, 60_000);

  afterAll(async () => {
    await closeIngestApp(app);
    await dropRunDatabases(runId);
    await deleteTopicsWithPrefix(kafka, prefix);
  }, 60_000);

  it('stores a batch of messages, their encounters and their outbox events in two named statements, sent with begin and with commit', async () => {
    const sent = new Map<Client, string[]>();
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const [statement] = args as [string | { name?: string }];
      if ((this as unknown as { connectionParameters: { application_name?: string } }).connectionParameters.application_name === 'adt-ingest-batches') {
        const statements = sent.get(this) ?? [];
        statements.push(typeof statement === 'string' ? statement : (statement.name ?? 'unnamed'));
        sent.set(this, statements);
      }
      return (query as (...values: unknown[]) => unknown).apply(this, args);
    } as never);

    const port = app.get(MllpListener).port ?? 0;
    const clients = await Promise.all([0, 1, 2, 3].map(() => MllpClient.connect({ port })));
    try {
      const acks = await Promise.all(
        clients.map((client, connection) =>
          Promise.all(
            [0, 1, 2, 3, 4].map((index) =>
              client.send(adt({ trigger: index === 0 ? 'A01' : 'A03', controlId: `RT-${connection}-${index}`, mrn: `RT-P${connection}-${index}`, visit: `RT-V${connection}-${index}` })),
            ),
          ),
        ),
      );
      expect(acks.flat().map((ack) => ackOf(ack).code)).toEqual(new Array(20).fill('AA'));
    } finally {
      spy.mockRestore();
      await Promise.all(clients.map((client) => client.close()));
    }

    expect(sent.size).toBeGreaterThan(0);
    for (const statements of sent.values()) {
      expect(statements.length % 4).toBe(0);
      for (let index = 0; index < statements.length; index += 4) {
        expect(statements.slice(index, index + 4)).toEqual(['BEGIN', 'adt-ingest:read-and-lock', 'adt-ingest:write-batch', 'COMMIT']);
      }
    }
    await withIngestDatabase(async (db) => {
      const { rows } = await db.query<{ messages: number; events: number; unmatched: number }>(
        `SELECT (SELECT count(*) FROM received_messages)::int AS messages, (SELECT count(*) FROM outbox)::int AS events,
                (SELECT count(*) FROM received_messages r WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = r.event_id))::int AS unmatched`,
      );
      expect(rows[0]).toEqual({ messages: 20, events: 20, unmatched: 0 });
    });
  }, 60_000);

  /** A connection of its own to the service's database, for reading what a test stored. */
  async function withIngestDatabase(work: (db: Client) => Promise<void>): Promise<void> {
    const db = new Client({ connectionString: databaseUrl(runId, 'adt-ingest') });
    await db.connect();
    try {
      await work(db);
    } finally {
      await db.end();
    }
  }

  function accepted(text: string): AcceptedInbound {
    const config = app.get<AdtIngestConfig>(SERVICE_CONFIG);
    const inbound = readInbound(Buffer.from(text), 'mllp', {
      facilityTimeZones: config.FACILITY_TIME_ZONES,
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
      receiverProcessingId: config.RECEIVER_PROCESSING_ID,
      patientRefKey: config.PATIENT_REF_KEY,
      enhancedFacilities: config.ENHANCED_ACK_FACILITIES,
    });
    if (inbound.kind !== 'accepted') {
      throw new Error('fixture message refused');
    }
    return inbound;
  }

  it('answers a resend of a stored message as a resend when a conflicting message with its control id shares the batch', async () => {
    const original = adt({ trigger: 'A01', controlId: 'RESEND-AFTER-CONFLICT', visit: 'V-RESEND-AFTER-CONFLICT' });
    const batches = app.get(IngestBatchService);
    const [stored] = await batches.store([accepted(original)]);

    // The conflicting message arrives first in the next batch; the resend after it must not be compared with it.
    const [conflicting, resent, resentAgain] = await batches.store([accepted(original.replace('TESTER', 'OTHER')), accepted(original), accepted(original)]);

    expect([stored.disposition, conflicting.disposition, resent.disposition, resentAgain.disposition]).toEqual(['accepted', 'control-id-conflict', 'resend', 'resend']);
    expect(ackOf(conflicting.acks.ack)).toMatchObject({ code: 'AR', errCode: '205' });
    expect([resent.acks.ack, resentAgain.acks.ack]).toEqual([stored.acks.ack, stored.acks.ack]);
  }, 30_000);

  it('writes each new encounter of a batch as a heap-only update of the row the batch locked, adding no index entries', async () => {
    const batches = app.get(IngestBatchService);
    for (let batch = 0; batch < 8; batch += 1) {
      const messages = Array.from({ length: 50 }, (_, index) =>
        accepted(adt({ trigger: 'A03', controlId: `ROOM-${batch}-${index}`, mrn: `ROOM-P${batch}-${index}`, visit: `ROOM-V${batch}-${index}` })),
      );
      const results = await batches.store(messages);
      expect(results.map((result) => result.disposition)).toEqual(new Array(50).fill('accepted'));
    }

    await withIngestDatabase(async (db) => {
      await db.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
      // A live row version flagged heap-only was written by an update on its row's own page, and
      // its indexes still point at the row's first version.
      const { rows } = await db.query<{ encounters: number; heapOnly: number }>(
        `WITH versions AS (
           SELECT format('(%s,%s)', page, item.lp)::tid AS ctid, (item.t_infomask2 & 32768) <> 0 AS heap_only
           FROM generate_series(0, pg_relation_size('encounters') / current_setting('block_size')::int - 1) AS page,
                LATERAL heap_page_items(get_raw_page('encounters', page::int)) AS item
           WHERE item.lp_flags = 1
         )
         SELECT count(*)::int AS encounters, count(*) FILTER (WHERE v.heap_only)::int AS "heapOnly"
         FROM encounters e JOIN versions v ON v.ctid = e.ctid
         WHERE e.visit_number LIKE 'ROOM-V%'`,
      );
      expect(rows[0]).toEqual({ encounters: 400, heapOnly: 400 });
    });
  }, 60_000);
});
