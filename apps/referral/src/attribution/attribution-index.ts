import { Client } from 'pg';
import type { TlsOptions } from '@sc/config';
import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { referralConcerns, type Attribution } from './attribution';

/** Where the triggers of migration AttributionNotices tell every instance of a newly known subject (the payload). */
export const ATTRIBUTION_CHANNEL = 'referral_attribution';

const LOAD = `SELECT subject FROM referrals
  UNION SELECT subject FROM episodes WHERE subject IS NOT NULL
  UNION SELECT subject FROM patients
  UNION SELECT subject FROM medication_reconciliations
  UNION SELECT subject FROM pharmacist_follow_ups`;

export interface AttributionIndexOptions {
  databaseUrl: string;
  ssl?: TlsOptions;
  serviceName: string;
  /** PARTICIPATING_PLANS: plan ids, or `*` for every plan. */
  plans: readonly string[];
  reconnectMs?: number;
}

/**
 * Referral's attribution in memory, answering EventRelevance: the subjects it holds anything for,
 * loaded at start and kept current in every instance by the notices of the triggers (a dedicated
 * connection LISTENs), whichever instance wrote the row. A lost connection is reopened and
 * everything read again; until then the set held keeps answering, and between reloads it only
 * grows, so nobody attributed is missed.
 */
export class AttributionIndex implements Attribution, EventRelevance {
  private readonly logger = createLogger(AttributionIndex.name);
  private readonly everyPlan: boolean;
  private readonly plans: ReadonlySet<string>;
  private subjects = new Set<string>();
  /** Subjects notified while a reload reads: added again to what it read, which may predate them. */
  private duringReload: string[] | undefined;
  private current: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: AttributionIndexOptions) {
    this.everyPlan = options.plans.includes('*');
    this.plans = new Set(options.plans);
  }

  /** Listens, then loads: a row committed in between is read, notified, or both, never neither. */
  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    await index.connect();
    return index;
  }

  concerns(event: EventEnvelope): boolean {
    return referralConcerns(event, this);
  }

  knows(subject: string): boolean {
    return this.subjects.has(subject);
  }

  participates(planId: string): boolean {
    return this.everyPlan || this.plans.has(planId);
  }

  get size(): number {
    return this.subjects.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.current;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, ssl: this.options.ssl, application_name: `${this.options.serviceName}-attribution` });
    this.current = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('notification', ({ payload }) => {
      if (client === this.current && payload !== undefined) {
        this.duringReload?.push(payload);
        this.subjects.add(payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ATTRIBUTION_CHANNEL}`);
      this.duringReload = [];
      const { rows } = await client.query<{ subject: string }>(LOAD);
      const subjects = new Set(rows.map((row) => row.subject));
      this.duringReload.forEach((subject) => subjects.add(subject));
      this.duringReload = undefined;
      this.subjects = subjects;
      this.logger.info({ subjects: subjects.size }, 'attribution loaded');
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
  }

  private lost(client: Client, error: unknown): void {
    if (client !== this.current) {
      return;
    }
    this.current = undefined;
    this.duringReload = undefined;
    void client.end().catch(() => undefined);
    if (this.stopped) {
      return;
    }
    this.logger.warn({ err: error }, 'attribution listener lost its connection; reconnecting, then reloading');
    this.retry = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, this.options.reconnectMs ?? 1000);
  }
}
