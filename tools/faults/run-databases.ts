import { Pool } from 'pg';
import { databaseUrl, type ServiceName } from '@sc/testing';
import type { DischargeRecord } from './evaluation';

const DISCHARGE_TASK_KINDS = ['discharge-call', 'chart-review', 'coordinate-with-facility'];

interface EnvelopeShape {
  id?: string;
  correlationId?: string;
  data?: {
    patient?: { identifiers?: Array<{ value?: string; authority?: string | null }>; deceased?: boolean };
    visit?: { dischargeDisposition?: string | null };
  };
}

export interface ProbeTask {
  pharmacyPatientId: string;
  taskId: string;
  sourceEventId: string;
}

export interface Duplicates {
  tasksPerEvent: Record<string, number>;
  tasksPerEpisode: Record<string, number>;
  notificationRequestsPerNotification: Record<string, number>;
  notificationsPerRequest: Record<string, number>;
  deliveriesPerRecipient: Record<string, number>;
}

const counted = (rows: Array<{ key: string; n: number }>): Record<string, number> => Object.fromEntries(rows.map((row) => [row.key, row.n]));

/**
 * The run's own databases (one per service, named by the run id), read directly: what the
 * services committed is the ground truth of the checks, not what their APIs choose to show.
 */
export class RunDatabases {
  private readonly pools = new Map<ServiceName, Pool>();

  constructor(runId: string, services: readonly ServiceName[]) {
    for (const service of services) {
      const pool = new Pool({ connectionString: databaseUrl(runId, service), max: 2, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 5_000 });
      // Connections die while PostgreSQL is stopped; the next query reconnects.
      pool.on('error', () => undefined);
      this.pools.set(service, pool);
    }
  }

  private async query<Row extends object>(service: ServiceName, sql: string, values: unknown[] = []): Promise<Row[]> {
    const pool = this.pools.get(service);
    if (pool === undefined) {
      throw new Error(`${service} is not part of this run`);
    }
    return (await pool.query<Row>(sql, values)).rows;
  }

  async now(): Promise<Date> {
    const [row] = await this.query<{ now: Date }>('adt-ingest', 'SELECT now() AS now');
    return row.now;
  }

  /** encounter.discharged events adt-ingest committed (so ACKed or about to be) after `afterSeq`, up to `until`. */
  async dischargesAfter(afterSeq: string, until: Date): Promise<{ records: DischargeRecord[]; lastSeq: string }> {
    const rows = await this.query<{ seq: string; payload: string }>(
      'adt-ingest',
      `SELECT seq::text AS seq, payload FROM outbox
        WHERE event_type = 'encounter.discharged' AND seq > $1::bigint AND created_at <= $2 ORDER BY seq`,
      [afterSeq, until],
    );
    const records = rows.map((row): DischargeRecord => {
      const envelope = JSON.parse(row.payload) as EnvelopeShape;
      return {
        eventId: envelope.id ?? '',
        correlationId: envelope.correlationId ?? '',
        identifiers: (envelope.data?.patient?.identifiers ?? []).map((identifier) => ({ value: identifier.value ?? '', authority: identifier.authority ?? null })),
        disposition: envelope.data?.visit?.dischargeDisposition ?? null,
        deceased: envelope.data?.patient?.deceased === true,
      };
    });
    return { records, lastSeq: rows.at(-1)?.seq ?? afterSeq };
  }

  /** Which of these events a consumer has recorded in its inbox, and when. */
  async processed(service: ServiceName, eventIds: readonly string[]): Promise<Map<string, number>> {
    if (eventIds.length === 0) {
      return new Map();
    }
    const rows = await this.query<{ event_id: string; processed_at: Date }>(
      service,
      'SELECT event_id::text AS event_id, min(processed_at) AS processed_at FROM inbox WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
      [eventIds],
    );
    return new Map(rows.map((row) => [row.event_id, row.processed_at.getTime()]));
  }

  async episodesWithDischargeTask(correlationIds: readonly string[]): Promise<Set<string>> {
    if (correlationIds.length === 0) {
      return new Set();
    }
    const rows = await this.query<{ correlation_id: string }>(
      'pharmacy-alert',
      'SELECT DISTINCT correlation_id FROM tasks WHERE correlation_id = ANY($1) AND kind = ANY($2)',
      [correlationIds, DISCHARGE_TASK_KINDS],
    );
    return new Set(rows.map((row) => row.correlation_id));
  }

  async probeTasks(pharmacyPatientIds: readonly string[]): Promise<ProbeTask[]> {
    if (pharmacyPatientIds.length === 0) {
      return [];
    }
    const rows = await this.query<{ pharmacy_patient_id: string; id: string; source_event_id: string }>(
      'pharmacy-alert',
      `SELECT p.pharmacy_patient_id, t.id::text AS id, t.source_event_id::text AS source_event_id
         FROM tasks t JOIN patients p ON p.id = t.patient_id
        WHERE p.pharmacy_patient_id = ANY($1) AND t.kind = ANY($2)`,
      [pharmacyPatientIds, DISCHARGE_TASK_KINDS],
    );
    return rows.map((row) => ({ pharmacyPatientId: row.pharmacy_patient_id, taskId: row.id, sourceEventId: row.source_event_id }));
  }

  /** Stream deliveries the notifier stored for these work items (task ids) and this recipient, by sequence number. */
  async streamDeliveries(itemIds: readonly string[], recipient: string): Promise<string[]> {
    if (itemIds.length === 0) {
      return [];
    }
    const rows = await this.query<{ seq: string }>(
      'notifier',
      `SELECT d.seq::text AS seq FROM notifications n JOIN deliveries d ON d.notification_id = n.id
        WHERE n.item_id = ANY($1) AND d.channel = 'sse' AND d.recipient = $2 ORDER BY d.seq`,
      [itemIds, recipient],
    );
    return rows.map((row) => row.seq);
  }

  async duplicates(): Promise<Duplicates> {
    const over = (sql: string): string => `${sql} HAVING count(*) > 1`;
    const [tasksPerEvent, tasksPerEpisode, notificationRequestsPerNotification, notificationsPerRequest, deliveriesPerRecipient] = await Promise.all([
      this.query<{ key: string; n: number }>('pharmacy-alert', over('SELECT source_event_id::text AS key, count(*)::int AS n FROM tasks GROUP BY 1')),
      // A discharge cancelled (A13) and sent again rightly has a new task beside the cancelled one.
      this.query<{ key: string; n: number }>('pharmacy-alert', over(`SELECT kind || ' ' || episode_key AS key, count(*)::int AS n FROM tasks WHERE status <> 'cancelled' GROUP BY 1`)),
      this.query<{ key: string; n: number }>(
        'pharmacy-alert',
        over(`SELECT payload::jsonb -> 'data' ->> 'notificationId' AS key, count(*)::int AS n FROM outbox WHERE event_type = 'notification.requested' GROUP BY 1`),
      ),
      this.query<{ key: string; n: number }>('notifier', over('SELECT source_event_id::text AS key, count(*)::int AS n FROM notifications WHERE escalation_of IS NULL GROUP BY 1')),
      this.query<{ key: string; n: number }>('notifier', over(`SELECT notification_id || ' ' || channel || ' ' || recipient AS key, count(*)::int AS n FROM deliveries GROUP BY 1`)),
    ]);
    return {
      tasksPerEvent: counted(tasksPerEvent),
      tasksPerEpisode: counted(tasksPerEpisode),
      notificationRequestsPerNotification: counted(notificationRequestsPerNotification),
      notificationsPerRequest: counted(notificationsPerRequest),
      deliveriesPerRecipient: counted(deliveriesPerRecipient),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
  }
}
