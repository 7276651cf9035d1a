import type { OnApplicationShutdown } from '@nestjs/common';
import type { Client } from 'pg';
import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import { type Counter, type MetricsRegistry } from '@sc/observability';
import { DatabaseListener } from '@sc/persistence';
import type { ServiceDatabase } from '@sc/platform';
import { isEncounterEvent } from '../encounters/encounter-work.service';
import { isTeamActivity } from '../team-activity/team-activity.service';
import { SUBJECT_PREFIX, attributionKeys, subjectKey, type AttributionFacts } from './attribution-keys';

/** Channel the roster tables' triggers notify with the id of the patient whose row changed (see migration RosterChangeNotifications). */
export const ROSTER_CHANNEL = 'pharmacy_alert_roster';

export interface AttributionIndexOptions extends ServiceDatabase {
  metrics: MetricsRegistry;
}

/**
 * Which patients pharmacy-alert serves (the roster), held in memory so an event about anyone else
 * is turned away before a transaction opens, and kept current in every instance by the roster
 * tables' triggers (see DatabaseListener). Keys are only ever added between full loads: the index
 * may let through an event about someone no longer rostered (the handler then finds nobody), never
 * turn away one about someone rostered.
 */
export class AttributionIndex implements EventRelevance, OnApplicationShutdown {
  private keys = new Set<string>();
  private listener: DatabaseListener | undefined;
  private readonly unattributed: Counter;
  private unattributedEncounterCount = 0;

  private constructor(options: AttributionIndexOptions) {
    this.unattributed = options.metrics.counter('sc_pharmacy_unattributed_events_total', 'Consumed events about no rostered patient, by type (counted, not worked).');
  }

  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    index.listener = await DatabaseListener.start({
      databaseUrl: options.url,
      ssl: options.ssl,
      applicationName: `${options.serviceName}-attribution`,
      channel: ROSTER_CHANNEL,
      reload: async (client) => {
        index.keys = new Set([...(await rosterKeysOf(client, null)), ...(await subjectKeys(client))]);
      },
      notified: async (payload, client) => {
        // A linked subject comes as its key; any other change as the id of the patient to read.
        for (const key of payload.startsWith(SUBJECT_PREFIX) ? [payload] : await rosterKeysOf(client, payload)) {
          index.keys.add(key);
        }
      },
    });
    return index;
  }

  concerns(event: EventEnvelope): boolean {
    const concerned = this.knows(event);
    if (!concerned) {
      this.countUnattributed(event.type);
    }
    return concerned;
  }

  /**
   * Resolves once every roster change committed before the call is in this instance's index, so
   * the API answers a roster change only when this instance honours it.
   */
  caughtUp(): Promise<void> {
    return this.listener?.caughtUp() ?? Promise.resolve();
  }

  /** Encounter events about nobody on the roster that this instance counted since it started. */
  get unattributedEncounters(): number {
    return this.unattributedEncounterCount;
  }

  /** Also for events the index let through but the roster did not match. */
  countUnattributed(type: string): void {
    this.unattributed.inc({ type });
    if (type.startsWith('encounter.') || type === 'patient.merged') {
      this.unattributedEncounterCount += 1;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  private knows(event: EventEnvelope): boolean {
    const keys = [subjectKey(event.subject)];
    if (event.type === 'patient.merged') {
      const { data } = event as EventEnvelope<'patient.merged'>;
      keys.push(subjectKey(data.priorSubject), ...attributionKeys(data.patient), ...attributionKeys({ identifiers: data.priorIdentifiers }));
    } else if (isEncounterEvent(event)) {
      keys.push(...attributionKeys(event.data.patient));
    } else if (!isTeamActivity(event)) {
      // Roster changes, and anything else, always concern the service.
      return true;
    }
    return keys.some((key) => this.keys.has(key));
  }
}

/** Identifier and demographic keys of one enrolled patient, or of the whole roster. */
async function rosterKeysOf(client: Client, patientId: string | null): Promise<string[]> {
  const { rows } = await client.query<AttributionFacts>(
    `SELECT to_char(p.birth_date, 'YYYY-MM-DD') AS "birthDate", p.family_name AS "familyName", p.given_name AS "givenName",
            COALESCE((SELECT json_agg(json_build_object('authority', i.authority, 'value', i.value)) FROM patient_identifiers i WHERE i.patient_id = p.id), '[]') AS identifiers
     FROM patients p WHERE p.enrolled AND ($1::uuid IS NULL OR p.id = $1)`,
    [patientId],
  );
  return rows.flatMap((row) => attributionKeys(row));
}

/** The keys of every subject linked to a roster patient. */
async function subjectKeys(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ subject: string }>('SELECT subject FROM patient_subjects');
  return rows.map((row) => subjectKey(row.subject));
}
