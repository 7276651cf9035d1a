import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import type { MetricsRegistry } from '@sc/observability';
import { DatabaseListener } from '@sc/persistence';
import type { ServiceDatabase } from '@sc/platform';
import { referralConcerns, type Attribution } from './attribution';

/** Where the triggers of migration AttributionNotices tell every instance of a newly known subject (the payload). */
export const ATTRIBUTION_CHANNEL = 'referral_attribution';

const LOAD = `SELECT subject FROM referrals
  UNION SELECT subject FROM episodes WHERE subject IS NOT NULL
  UNION SELECT subject FROM patients
  UNION SELECT subject FROM medication_reconciliations
  UNION SELECT subject FROM pharmacist_follow_ups`;

export interface AttributionIndexOptions extends ServiceDatabase {
  /** PARTICIPATING_PLANS: plan ids, or `*` for every plan. */
  plans: readonly string[];
  /** Where to report how many patients this instance holds as attributed. */
  metrics?: MetricsRegistry;
  reconnectMs?: number;
}

/**
 * Referral's attribution in memory, answering EventRelevance: the subjects it holds anything for,
 * kept current in every instance by the triggers' notices (see DatabaseListener). Between full
 * loads it only grows, so nobody attributed is missed.
 */
export class AttributionIndex implements Attribution, EventRelevance {
  private readonly everyPlan: boolean;
  private readonly plans: ReadonlySet<string>;
  private subjects = new Set<string>();
  private listener: DatabaseListener | undefined;

  private constructor(options: AttributionIndexOptions) {
    this.everyPlan = options.plans.includes('*');
    this.plans = new Set(options.plans);
  }

  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    index.listener = await DatabaseListener.start({
      databaseUrl: options.url,
      ssl: options.ssl,
      applicationName: `${options.serviceName}-attribution`,
      channel: ATTRIBUTION_CHANNEL,
      reconnectMs: options.reconnectMs,
      reload: async (client) => {
        const { rows } = await client.query<{ subject: string }>(LOAD);
        index.subjects = new Set(rows.map((row) => row.subject));
      },
      notified: (subject) => void index.subjects.add(subject),
    });
    options.metrics?.collectedGauge('sc_attributed_subjects', 'Patients this instance holds as attributed to a participating program.', async () => [{ value: index.size }]);
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
    await this.listener?.stop();
  }
}
