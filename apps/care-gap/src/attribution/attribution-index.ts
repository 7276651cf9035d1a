import type { Client } from 'pg';
import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import type { MetricsRegistry } from '@sc/observability';
import { DatabaseListener } from '@sc/persistence';
import type { ServiceDatabase } from '@sc/platform';
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

export interface AttributionIndexOptions extends ServiceDatabase {
  /** PARTICIPATING_PLANS: plan ids, or `*` for every plan. */
  plans: readonly string[];
  /** Where to report how many patients this instance holds as attributed. */
  metrics?: MetricsRegistry;
  reconnectMs?: number;
}

/**
 * Care-gap's attribution in memory, answering EventRelevance, kept current in every instance by
 * the triggers' notices (see DatabaseListener). Between full loads it only grows, so nobody
 * attributed is missed.
 */
export class AttributionIndex implements Attribution, EventRelevance {
  private readonly everyPlan: boolean;
  private readonly configuredPlans: ReadonlySet<string>;
  private subjects = new Set<string>();
  private benefitPlans = new Set<string>();
  private listener: DatabaseListener | undefined;

  private constructor(options: AttributionIndexOptions) {
    this.everyPlan = options.plans.includes('*');
    this.configuredPlans = new Set(options.plans);
  }

  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    index.listener = await DatabaseListener.start({
      databaseUrl: options.url,
      ssl: options.ssl,
      applicationName: `${options.serviceName}-attribution`,
      channel: ATTRIBUTION_CHANNEL,
      reconnectMs: options.reconnectMs,
      reload: (client) => index.reload(client),
      notified: (payload, client) => index.apply(client, JSON.parse(payload) as Notice),
    });
    options.metrics?.collectedGauge('sc_attributed_subjects', 'Patients this instance holds as attributed to a participating program.', async () => [{ value: index.size }]);
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
    await this.listener?.stop();
  }

  private async reload(client: Client): Promise<void> {
    const { rows } = await client.query<{ kind: 'plan' | 'subject'; value: string }>(LOAD, [this.everyPlan, [...this.configuredPlans]]);
    this.subjects = new Set(rows.filter((row) => row.kind === 'subject').map((row) => row.value));
    this.benefitPlans = new Set(rows.filter((row) => row.kind === 'plan').map((row) => row.value));
  }

  private async apply(client: Client, { subject, plan }: Notice): Promise<void> {
    if (subject !== undefined) {
      if (plan === undefined || this.participates(plan)) {
        this.subjects.add(subject);
      }
    } else if (plan !== undefined && !this.participates(plan)) {
      // A plan that now participates: its members, known before, are attributed from now on.
      this.benefitPlans.add(plan);
      const { rows } = await client.query<{ subject: string }>('SELECT subject FROM patients WHERE plan_id = $1', [plan]);
      rows.forEach((row) => this.subjects.add(row.subject));
    }
  }
}
