import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * DDL of the audit log every service with patient data owns; used by a migration, then frozen.
 * Append-only: a trigger refuses UPDATE and DELETE, and each row's hash covers the previous
 * row's hash, so any change to history breaks the chain that `verify()` walks.
 */
export const CREATE_AUDIT_LOG = `
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_roles text[] NOT NULL,
  action text NOT NULL,
  resource text NOT NULL,
  patient_refs text[] NOT NULL,
  purpose text NOT NULL,
  outcome integer NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_patient_idx ON audit_log USING gin (patient_refs);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`;

export const DROP_AUDIT_LOG = `
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
`;

export interface AuditEntry {
  actorId: string;
  actorRoles: string[];
  /** Method and route, e.g. `GET /v1/tasks/:id`. */
  action: string;
  /** The concrete path with ids, e.g. `/v1/tasks/5f2f...`. */
  resource: string;
  patientRefs: string[];
  /** Purpose of use (HL7 v3 PurposeOfUse), from the `X-Purpose-Of-Use` header; `TREAT` by default. */
  purpose: string;
  /** HTTP status of the answer. */
  outcome: number;
}

export interface AuditRecord extends AuditEntry {
  seq: string;
  at: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function chainHash(previous: string, at: string, entry: AuditEntry): string {
  const canonical = JSON.stringify([
    previous,
    at,
    entry.actorId,
    entry.actorRoles,
    entry.action,
    entry.resource,
    entry.patientRefs,
    entry.purpose,
    entry.outcome,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

interface AuditRow {
  seq: string;
  at: Date;
  actor_id: string;
  actor_roles: string[];
  action: string;
  resource: string;
  patient_refs: string[];
  purpose: string;
  outcome: number;
  prev_hash: string;
  hash: string;
}

const toRecord = (row: AuditRow): AuditRecord => ({
  seq: String(row.seq),
  at: row.at.toISOString(),
  actorId: row.actor_id,
  actorRoles: row.actor_roles,
  action: row.action,
  resource: row.resource,
  patientRefs: row.patient_refs,
  purpose: row.purpose,
  outcome: row.outcome,
  hash: row.hash,
});

export interface AuditQuery {
  patientRef?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends one entry; entries are chained in commit order under a transaction-scoped lock. */
  async append(entry: AuditEntry): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('audit_log'))`);
      const [last]: Array<{ hash: string }> = await manager.query('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const previous = last?.hash ?? GENESIS;
      const at = new Date().toISOString();
      await manager.query(
        `INSERT INTO audit_log (at, actor_id, actor_roles, action, resource, patient_refs, purpose, outcome, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [at, entry.actorId, entry.actorRoles, entry.action, entry.resource, entry.patientRefs, entry.purpose, entry.outcome, previous, chainHash(previous, at, entry)],
      );
    });
  }

  async search(query: AuditQuery): Promise<AuditRecord[]> {
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT * FROM audit_log
       WHERE ($1::text IS NULL OR $1 = ANY(patient_refs)) AND ($2::text IS NULL OR actor_id = $2)
         AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
       ORDER BY seq DESC LIMIT $5`,
      [query.patientRef ?? null, query.actorId ?? null, query.from ?? null, query.to ?? null, Math.min(query.limit ?? 200, 1000)],
    );
    return rows.map(toRecord);
  }

  /** Walks the whole chain; reports the first row whose hash does not follow from its predecessor. */
  async verify(): Promise<{ valid: boolean; checked: number; firstBrokenSeq: string | null }> {
    let previous = GENESIS;
    let checked = 0;
    let after = '0';
    for (;;) {
      const rows: AuditRow[] = await this.dataSource.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000', [after]);
      if (rows.length === 0) {
        return { valid: true, checked, firstBrokenSeq: null };
      }
      for (const row of rows) {
        const entry: AuditEntry = {
          actorId: row.actor_id,
          actorRoles: row.actor_roles,
          action: row.action,
          resource: row.resource,
          patientRefs: row.patient_refs,
          purpose: row.purpose,
          outcome: row.outcome,
        };
        if (row.prev_hash !== previous || row.hash !== chainHash(previous, row.at.toISOString(), entry)) {
          return { valid: false, checked, firstBrokenSeq: String(row.seq) };
        }
        previous = row.hash;
        checked += 1;
        after = String(row.seq);
      }
    }
  }
}

/**
 * The audit-log migration every service with patient data checks in, as a one-line subclass
 * named with its own timestamp (TypeORM orders migrations by that suffix).
 */
export abstract class AuditLogMigration {
  abstract name: string;

  async up(runner: { query(sql: string): Promise<unknown> }): Promise<void> {
    await runner.query(CREATE_AUDIT_LOG);
  }

  async down(runner: { query(sql: string): Promise<unknown> }): Promise<void> {
    await runner.query(DROP_AUDIT_LOG);
  }
}
