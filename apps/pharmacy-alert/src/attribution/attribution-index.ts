import type { OnApplicationShutdown } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';
import type { EventEnvelope } from '@sc/contracts';
import type { EventRelevance } from '@sc/messaging';
import { createLogger, type Counter, type MetricsRegistry } from '@sc/observability';
import { isEncounterEvent } from '../encounters/encounter-work.service';
import { isTeamActivity } from '../team-activity/team-activity.service';
import { attributionKeys, subjectKey, type AttributionFacts } from './attribution-keys';

/** Channel the roster tables' triggers notify with the id of the patient whose row changed (see migration RosterChangeNotifications). */
export const ROSTER_CHANNEL = 'pharmacy_alert_roster';

const RECONNECT_MS = 1000;

interface PatientKeysRow extends AttributionFacts {
  enrolled: boolean;
  subjects: string[];
}

export interface AttributionIndexOptions {
  databaseUrl: string;
  ssl?: ClientConfig['ssl'];
  metrics: MetricsRegistry;
}

/**
 * Which patients pharmacy-alert serves (the roster), held in memory so an event about anyone else
 * is turned away before a transaction opens. Loaded whole at start and on every (re)connection of
 * its own PostgreSQL connection, which LISTENs to the roster tables' triggers, so a change made
 * through any instance reaches every instance. Keys are only ever added between full loads: the
 * index may let through an event about someone no longer rostered (the handler then finds nobody),
 * never turn away one about someone rostered.
 */
export class AttributionIndex implements EventRelevance, OnApplicationShutdown {
  private readonly logger = createLogger(AttributionIndex.name);
  private keys = new Set<string>();
  private client: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Loads of changed patients, one after another on the listening connection. */
  private loads = Promise.resolve();
  private readonly unattributed: Counter;
  private unattributedEncounterCount = 0;

  private constructor(private readonly options: AttributionIndexOptions) {
    this.unattributed = options.metrics.counter('sc_pharmacy_unattributed_events_total', 'Consumed events about no rostered patient, by type (counted, not worked).');
  }

  static async start(options: AttributionIndexOptions): Promise<AttributionIndex> {
    const index = new AttributionIndex(options);
    await index.connect();
    return index;
  }

  concerns(event: EventEnvelope): boolean {
    const concerned = this.knows(event);
    if (!concerned) {
      this.countUnattributed(event.type);
    }
    return concerned;
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
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
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

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, ssl: this.options.ssl, application_name: 'pharmacy-alert-attribution' });
    client.on('error', (error) => this.logger.warn({ err: error }, 'attribution listener connection lost'));
    client.on('notification', (message) => {
      const patientId = message.payload;
      if (patientId) {
        this.loads = this.loads.then(() => this.load(client, patientId));
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ROSTER_CHANNEL}`);
      // Listening before loading, so no change committed meanwhile is missed.
      this.keys = new Set(await this.keysOf(client, null));
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    client.once('end', () => this.reconnect());
    this.logger.info({ keys: this.keys.size }, 'attribution index loaded');
  }

  private reconnect(): void {
    this.client = undefined;
    if (this.stopped) {
      return;
    }
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'attribution listener could not reconnect');
        this.reconnect();
      });
    }, RECONNECT_MS);
  }

  /**
   * Adds one patient's keys. Runs on the listening connection after the full load that connection
   * started with, so a change notified during that load lands in the new set.
   */
  private async load(client: Client, patientId: string): Promise<void> {
    try {
      for (const key of await this.keysOf(client, patientId)) {
        this.keys.add(key);
      }
    } catch (error) {
      // The connection is gone; reconnecting loads everything again.
      this.logger.warn({ err: error }, 'attribution keys of a changed patient not loaded');
    }
  }

  /** Keys of one patient, or of the whole roster: identifier and demographic keys of enrolled patients, subjects of any. */
  private async keysOf(client: Client, patientId: string | null): Promise<string[]> {
    const { rows } = await client.query<PatientKeysRow>(
      `SELECT p.enrolled, to_char(p.birth_date, 'YYYY-MM-DD') AS "birthDate", p.family_name AS "familyName", p.given_name AS "givenName",
              COALESCE((SELECT json_agg(json_build_object('authority', i.authority, 'value', i.value)) FROM patient_identifiers i WHERE i.patient_id = p.id), '[]') AS identifiers,
              ARRAY(SELECT s.subject FROM patient_subjects s WHERE s.patient_id = p.id) AS subjects
       FROM patients p WHERE $1::uuid IS NULL OR p.id = $1`,
      [patientId],
    );
    return rows.flatMap((row) => [...(row.enrolled ? attributionKeys(row) : []), ...row.subjects.map(subjectKey)]);
  }
}
