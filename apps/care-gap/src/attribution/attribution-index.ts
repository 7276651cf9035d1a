import { Client } from 'pg';
import type { TlsOptions } from '@sc/config';
import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { careGapConcerns, type Attribution } from './attribution';

/** Where the triggers of migration AttributionNotices tell every instance who became attributed. */
export const ATTRIBUTION_CHANNEL = 'care_gap_attribution';

/** A notice: a subject now known; a subject and the plan its context names; or (plan alone) a plan whose benefits are now held. */
interface Notice {
  subject?: string;
  plan?: string;
}

/** One statement, so plans and subjects come from one snapshot. */
const LOAD = `SELECT 'plan' AS kind, plan_id AS value FROM (SELECT DISTINCT plan_id FROM plan_benefits) benefit_plans
  UNION ALL
  SELECT 'subject', subject FROM (
    SELECT subject FROM pharmacy_tasks
    UNION SELECT subject FROM patient_devices WHERE flagged_by_pharmacist
    UNION SELECT subject FROM care_gaps
    UNION SELECT subject FROM patients
      WHERE plan_id IS NOT NULL AND ($1 OR plan_id = ANY($2::text[]) OR plan_id IN (SELECT plan_id FROM plan_benefits))
  ) known`;

export interface AttributionIndexOptions {
  databaseUrl: string;
  ssl?: TlsOptions;
  serviceName: string;
  /** PARTICIPATING_PLANS: plan ids, or `*` for every plan. */
  plans: readonly string[];
  reconnectMs?: number;
}

/**
 * Care-gap's attribution in memory, answering EventRelevance: loaded at start and kept current in
 * every instance by the notices of the triggers (a dedicated connection LISTENs), whichever
 * instance made the change. A lost connection is reopened and everything read again; until then
 * the set held keeps answering, and between reloads it only grows, so nobody attributed is missed.
 */
export class AttributionIndex implements Attribution, EventRelevance {
  private readonly logger = createLogger(AttributionIndex.name);
  private readonly everyPlan: boolean;
  private readonly configuredPlans: ReadonlySet<string>;
  private subjects = new Set<string>();
  private benefitPlans = new Set<string>();
  /** Notices that arrive while a reload reads: applied again to what it read, which may predate them. */
  private duringReload: Notice[] | undefined;
  private current: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: AttributionIndexOptions) {
    this.everyPlan = options.plans.includes('*');
    this.configuredPlans = new Set(options.plans);
  }

  /** Listens, then loads: a change committed in between is read, notified, or both, never neither. */
  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    await index.connect();
    return index;
  }

  concerns(event: EventEnvelope): boolean {
    return careGapConcerns(event, this);
  }

  knows(subject: string): boolean {
    return this.subjects.has(subject);
  }

  participates(planId: string): boolean {
    return this.everyPlan || this.configuredPlans.has(planId) || this.benefitPlans.has(planId);
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
    client.on('notification', (message) => this.received(client, message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${ATTRIBUTION_CHANNEL}`);
      await this.reload(client);
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
  }

  private async reload(client: Client): Promise<void> {
    this.duringReload = [];
    const { rows } = await client.query<{ kind: 'plan' | 'subject'; value: string }>(LOAD, [this.everyPlan, [...this.configuredPlans]]);
    const subjects = new Set<string>();
    const plans = new Set<string>();
    for (const row of rows) {
      (row.kind === 'plan' ? plans : subjects).add(row.value);
    }
    const missed = this.duringReload;
    this.duringReload = undefined;
    this.subjects = subjects;
    this.benefitPlans = plans;
    missed.forEach((notice) => this.apply(client, notice));
    this.logger.info({ subjects: subjects.size, benefitPlans: plans.size }, 'attribution loaded');
  }

  private received(client: Client, payload: string | undefined): void {
    if (client !== this.current || payload === undefined) {
      return;
    }
    const notice = JSON.parse(payload) as Notice;
    this.duringReload?.push(notice);
    this.apply(client, notice);
  }

  private apply(client: Client, { subject, plan }: Notice): void {
    if (subject !== undefined) {
      if (plan === undefined || this.participates(plan)) {
        this.subjects.add(subject);
      }
      return;
    }
    if (plan !== undefined && !this.participates(plan)) {
      // A plan that now participates: its members, known before, are attributed from now on.
      this.benefitPlans.add(plan);
      client.query<{ subject: string }>('SELECT subject FROM patients WHERE plan_id = $1', [plan]).then(
        ({ rows }) => rows.forEach((row) => this.subjects.add(row.subject)),
        (error: unknown) => this.lost(client, error),
      );
    }
  }

  private lost(client: Client, error: unknown): void {
    if (client !== this.current) {
      return;
    }
    this.current = undefined;
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
