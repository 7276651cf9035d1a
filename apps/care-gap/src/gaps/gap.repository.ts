import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CareGapCoverage, CareGapExplanation, CareGapItemSystem, CareGapSeverity, CareGapStatus } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';
import { OPEN_STATUSES } from './gap-lifecycle';
import type { GapTransitionView, GapView } from './gap.views';

/** A gap with what the service needs beyond the view: its rule's trigger, home flag, title and episode. */
export interface GapRecord extends GapView {
  ruleTrigger: string;
  homeItem: boolean;
  notificationTitle: string;
  correlationId: string;
  sourceTaskId: string | null;
}

export interface NewGap {
  id: string;
  subject: string;
  gapType: string;
  ruleTrigger: string;
  severity: CareGapSeverity;
  item: { system: CareGapItemSystem; code: string; display: string };
  homeItem: boolean;
  recommendedAction: string;
  notificationTitle: string;
  coverage: CareGapCoverage;
  explanation: CareGapExplanation;
  teamId: string | null;
  sourceTaskId: string | null;
  correlationId: string;
}

const openedReason = (gap: NewGap): string => `opened by ${gap.explanation.trigger}`;

interface GapRow {
  id: string;
  subject: string;
  gap_type: string;
  rule_trigger: string;
  severity: CareGapSeverity;
  item_system: CareGapItemSystem;
  item_code: string;
  item_display: string;
  home_item: boolean;
  recommended_action: string;
  notification_title: string;
  coverage: CareGapCoverage;
  explanation: CareGapExplanation;
  status: CareGapStatus;
  team_id: string | null;
  source_task_id: string | null;
  correlation_id: string;
  opened_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  close_reason: string | null;
}

const toRecord = (row: GapRow): GapRecord => ({
  id: row.id,
  subject: row.subject,
  gapType: row.gap_type,
  status: row.status,
  severity: row.severity,
  item: { system: row.item_system, code: row.item_code, display: row.item_display },
  recommendedAction: row.recommended_action,
  coverage: row.coverage,
  explanation: row.explanation,
  teamId: row.team_id,
  openedAt: row.opened_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  closedAt: row.closed_at?.toISOString() ?? null,
  closeReason: row.close_reason,
  ruleTrigger: row.rule_trigger,
  homeItem: row.home_item,
  notificationTitle: row.notification_title,
  correlationId: row.correlation_id,
  sourceTaskId: row.source_task_id,
});

export const toView = (record: GapRecord): GapView => ({
  id: record.id,
  subject: record.subject,
  gapType: record.gapType,
  status: record.status,
  severity: record.severity,
  item: record.item,
  recommendedAction: record.recommendedAction,
  coverage: record.coverage,
  explanation: record.explanation,
  teamId: record.teamId,
  openedAt: record.openedAt,
  updatedAt: record.updatedAt,
  closedAt: record.closedAt,
  closeReason: record.closeReason,
  ...(record.history ? { history: record.history } : {}),
});

export interface GapQuery {
  subject?: string;
  teamId?: string;
  status?: CareGapStatus;
  /** Only gaps not closed or dismissed. */
  openOnly?: boolean;
  limit?: number;
}

const SELECT = 'SELECT * FROM care_gaps';

@Injectable()
export class GapRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The patient's open gaps, locked, in the order they opened. */
  async openForSubject(manager: EntityManager, subject: string): Promise<GapRecord[]> {
    const rows = await preparedQuery<GapRow>(
      manager,
      'care-gap:open-for-subject',
      `${SELECT} WHERE subject = $1 AND status = ANY($2::text[]) ORDER BY opened_at FOR UPDATE`,
      [subject, OPEN_STATUSES],
    );
    return rows.map(toRecord);
  }

  async openForPlan(manager: EntityManager, planId: string): Promise<GapRecord[]> {
    const rows = (await manager.query(
      `SELECT g.* FROM care_gaps g JOIN patients p ON p.subject = g.subject
       WHERE p.plan_id = $1 AND g.status = ANY($2::text[]) ORDER BY g.subject, g.opened_at FOR UPDATE OF g`,
      [planId, OPEN_STATUSES],
    )) as GapRow[];
    return rows.map(toRecord);
  }

  /** `subject|gapType` of every open gap of these patients. */
  async openTypes(manager: EntityManager, subjects: readonly string[]): Promise<Set<string>> {
    const rows = (await manager.query('SELECT subject, gap_type FROM care_gaps WHERE subject = ANY($1::text[]) AND status = ANY($2::text[])', [
      [...subjects],
      OPEN_STATUSES,
    ])) as Array<{ subject: string; gap_type: string }>;
    return new Set(rows.map((row) => `${row.subject}|${row.gap_type}`));
  }

  async findById(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<GapRecord | null> {
    const [row] = (await manager.query(`${SELECT} WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id])) as GapRow[];
    return row ? toRecord(row) : null;
  }

  /**
   * Inserts the gap with its "opened" transition, unless the patient already has an open gap of its
   * type (the partial unique index decides, also against a transaction that opened one meanwhile):
   * then nothing is stored, null is returned, and the caller announces nothing.
   */
  async insertIfNoneOpen(manager: EntityManager, gap: NewGap): Promise<GapRecord | null> {
    const [row] = await preparedQuery<GapRow>(
      manager,
      'care-gap:insert-gap',
      `WITH opened AS (
         INSERT INTO care_gaps (id, subject, gap_type, rule_id, rule_version, rule_trigger, severity, item_system, item_code, item_display, home_item,
           recommended_action, notification_title, coverage, explanation, status, team_id, source_task_id, correlation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $16, $17, $18)
         ON CONFLICT (subject, gap_type) WHERE status NOT IN ('closed', 'dismissed') DO NOTHING
         RETURNING *
       ), transition AS (
         INSERT INTO care_gap_transitions (gap_id, from_status, to_status, actor_id, reason) SELECT id, NULL, 'open', 'system', $19 FROM opened
       )
       SELECT * FROM opened`,
      [
        gap.id,
        gap.subject,
        gap.gapType,
        gap.explanation.ruleId,
        gap.explanation.ruleVersion,
        gap.ruleTrigger,
        gap.severity,
        gap.item.system,
        gap.item.code,
        gap.item.display,
        gap.homeItem,
        gap.recommendedAction,
        gap.notificationTitle,
        JSON.stringify(gap.coverage),
        JSON.stringify(gap.explanation),
        gap.teamId,
        gap.sourceTaskId,
        gap.correlationId,
        openedReason(gap),
      ],
    );
    return row ? toRecord(row) : null;
  }

  async updateAssessment(
    manager: EntityManager,
    id: string,
    assessment: { severity: CareGapSeverity; recommendedAction: string; notificationTitle: string; coverage: CareGapCoverage; explanation: CareGapExplanation },
  ): Promise<GapRecord> {
    const [row] = (await manager.query(
      `UPDATE care_gaps SET rule_id = $2, rule_version = $3, severity = $4, recommended_action = $5, notification_title = $6, coverage = $7, explanation = $8,
         updated_at = now() WHERE id = $1 RETURNING *`,
      [
        id,
        assessment.explanation.ruleId,
        assessment.explanation.ruleVersion,
        assessment.severity,
        assessment.recommendedAction,
        assessment.notificationTitle,
        JSON.stringify(assessment.coverage),
        JSON.stringify(assessment.explanation),
      ],
    )) as [GapRow[], number];
    return toRecord(this.first(row));
  }

  async changeStatus(manager: EntityManager, gap: GapRecord, to: CareGapStatus, actorId: string, reason: string): Promise<GapRecord> {
    const terminal = to === 'closed' || to === 'dismissed';
    const [row] = (await manager.query(
      `UPDATE care_gaps SET status = $2, updated_at = now(), closed_at = CASE WHEN $3 THEN now() ELSE closed_at END,
         close_reason = CASE WHEN $3 THEN $4 ELSE close_reason END WHERE id = $1 RETURNING *`,
      [gap.id, to, terminal, reason],
    )) as [GapRow[], number];
    await this.addTransition(manager, gap.id, gap.status, to, actorId, reason);
    return toRecord(this.first(row));
  }

  async history(manager: EntityManager, id: string): Promise<GapTransitionView[]> {
    const rows = (await manager.query('SELECT from_status, to_status, actor_id, reason, at FROM care_gap_transitions WHERE gap_id = $1 ORDER BY id', [id])) as Array<{
      from_status: string | null;
      to_status: string;
      actor_id: string;
      reason: string;
      at: Date;
    }>;
    return rows.map((row) => ({ from: row.from_status, to: row.to_status, actorId: row.actor_id, reason: row.reason, at: row.at.toISOString() }));
  }

  async find(query: GapQuery): Promise<GapRecord[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.subject) {
      params.push(query.subject);
      clauses.push(`subject = $${params.length}`);
    }
    if (query.teamId) {
      params.push(query.teamId);
      clauses.push(`team_id = $${params.length}`);
    }
    if (query.status) {
      params.push(query.status);
      clauses.push(`status = $${params.length}`);
    } else if (query.openOnly) {
      params.push(OPEN_STATUSES);
      clauses.push(`status = ANY($${params.length}::text[])`);
    }
    params.push(query.limit ?? 500);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = (await this.dataSource.query(
      `${SELECT} ${where} ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'moderate' THEN 1 ELSE 2 END, opened_at LIMIT $${params.length}`,
      params,
    )) as GapRow[];
    return rows.map(toRecord);
  }

  private async addTransition(manager: EntityManager, gapId: string, from: CareGapStatus | null, to: CareGapStatus, actorId: string, reason: string): Promise<void> {
    await manager.query('INSERT INTO care_gap_transitions (gap_id, from_status, to_status, actor_id, reason) VALUES ($1, $2, $3, $4, $5)', [gapId, from, to, actorId, reason]);
  }

  /** TypeORM returns [rows, count] for UPDATE ... RETURNING on PostgreSQL. */
  private first(result: GapRow[] | GapRow): GapRow {
    return Array.isArray(result) ? result[0] : result;
  }
}
