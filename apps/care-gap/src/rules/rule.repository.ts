import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RuleVersionView } from './rule.dto';
import type { CareGapRule } from './rule-validation';

interface RuleRow {
  rule_id: string;
  version: number;
  enabled: boolean;
  definition: CareGapRule;
  actor_id: string;
  reason: string;
  changed_at: Date;
}

const toView = (row: RuleRow): RuleVersionView => ({
  ruleId: row.rule_id,
  version: row.version,
  enabled: row.enabled,
  definition: row.definition,
  actorId: row.actor_id,
  reason: row.reason,
  changedAt: row.changed_at.toISOString(),
});

const UNIQUE_VIOLATION = '23505';

/** Rule versions in the database; a version is never changed once written. */
@Injectable()
export class RuleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest version of every rule, enabled or not. */
  async current(manager: EntityManager = this.dataSource.manager): Promise<CareGapRule[]> {
    return (await this.currentVersions(manager)).map((version) => version.definition);
  }

  async currentVersions(manager: EntityManager = this.dataSource.manager): Promise<RuleVersionView[]> {
    const rows = (await manager.query(
      'SELECT DISTINCT ON (rule_id) rule_id, version, enabled, definition, actor_id, reason, changed_at FROM care_gap_rules ORDER BY rule_id, version DESC',
    )) as RuleRow[];
    return rows.map(toView);
  }

  async versionsOf(ruleId: string): Promise<RuleVersionView[]> {
    const rows = (await this.dataSource.query(
      'SELECT rule_id, version, enabled, definition, actor_id, reason, changed_at FROM care_gap_rules WHERE rule_id = $1 ORDER BY version DESC',
      [ruleId],
    )) as RuleRow[];
    return rows.map(toView);
  }

  async latestVersion(manager: EntityManager, ruleId: string): Promise<number | null> {
    const [row] = (await manager.query('SELECT max(version) AS version FROM care_gap_rules WHERE rule_id = $1', [ruleId])) as Array<{ version: number | null }>;
    return row?.version ?? null;
  }

  /** Adds a version; false when that version already exists (someone else changed the rule first). */
  async insertVersion(manager: EntityManager, rule: CareGapRule, actorId: string, reason: string): Promise<boolean> {
    try {
      await manager.query('SAVEPOINT rule_version');
      await manager.query('INSERT INTO care_gap_rules (rule_id, version, enabled, definition, actor_id, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
        rule.id,
        rule.version,
        rule.enabled,
        JSON.stringify(rule),
        actorId,
        reason,
      ]);
      await manager.query('RELEASE SAVEPOINT rule_version');
      return true;
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        await manager.query('ROLLBACK TO SAVEPOINT rule_version');
        return false;
      }
      throw error;
    }
  }
}
