import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '@sc/persistence';
import type { ReferralAction, ReferralPriority, ReferralSourceKind, ReferralStatus, ReferralType } from '@sc/contracts';
import type { SlaStep } from './referral-clock';
import type { ItemSystem } from './referral-sources';
import type { Transition } from './referral-state-machine';

/** A referral as the service works with it; never returned by the API as is (see referral.views.ts). */
export interface Referral {
  id: string;
  type: ReferralType;
  status: ReferralStatus;
  sourceKind: ReferralSourceKind;
  sourceId: string;
  sourceEventId: string;
  subject: string;
  correlationId: string;
  teamId: string;
  skill: string;
  queueId: string;
  language: string | null;
  priority: ReferralPriority;
  dueAt: Date;
  item: { system: ItemSystem; code: string } | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  leaseExpiresAt: Date | null;
  scheduledFor: Date | null;
  orderReference: string | null;
  statusReason: string | null;
  escalatedAt: Date | null;
  breachedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ReferralRow {
  id: string;
  type: ReferralType;
  status: ReferralStatus;
  source_kind: ReferralSourceKind;
  source_id: string;
  source_event_id: string;
  subject: string;
  correlation_id: string;
  team_id: string;
  skill: string;
  queue_id: string;
  language: string | null;
  priority: ReferralPriority;
  due_at: Date;
  item_system: ItemSystem | null;
  item_code: string | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  lease_expires_at: Date | null;
  scheduled_for: Date | null;
  order_reference: string | null;
  status_reason: string | null;
  escalated_at: Date | null;
  breached_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toReferral = (row: ReferralRow): Referral => ({
  id: row.id,
  type: row.type,
  status: row.status,
  sourceKind: row.source_kind,
  sourceId: row.source_id,
  sourceEventId: row.source_event_id,
  subject: row.subject,
  correlationId: row.correlation_id,
  teamId: row.team_id,
  skill: row.skill,
  queueId: row.queue_id,
  language: row.language,
  priority: row.priority,
  dueAt: row.due_at,
  item: row.item_system !== null && row.item_code !== null ? { system: row.item_system, code: row.item_code } : null,
  claimedBy: row.claimed_by,
  claimedAt: row.claimed_at,
  leaseExpiresAt: row.lease_expires_at,
  scheduledFor: row.scheduled_for,
  orderReference: row.order_reference,
  statusReason: row.status_reason,
  escalatedAt: row.escalated_at,
  breachedAt: row.breached_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewReferral {
  id: string;
  type: ReferralType;
  status: 'new' | 'cancelled';
  sourceKind: ReferralSourceKind;
  sourceId: string;
  sourceKey: string;
  sourceEventId: string;
  subject: string;
  correlationId: string;
  teamId: string;
  skill: string;
  queueId: string;
  language: string | null;
  priority: ReferralPriority;
  dueAt: Date;
  item: { system: ItemSystem; code: string } | null;
  statusReason: string;
}

export interface HistoryEntry {
  referralId: string;
  action: ReferralAction;
  fromStatus: ReferralStatus | null;
  toStatus: ReferralStatus;
  actorId: string;
  claimedBy: string | null;
  reason: string;
  note?: string | null;
}

export interface HistoryRecord extends Required<HistoryEntry> {
  id: string;
  occurredAt: Date;
}

export interface ClaimRequest {
  nurseId: string;
  queueIds: readonly string[];
  languages: readonly string[];
  languageHoldMinutes: number;
  leaseSeconds: number;
}

export interface ClaimedReferral {
  referral: Referral;
  previousStatus: ReferralStatus;
  previousClaimant: string | null;
}

export interface ReferralFilter {
  queueId?: string;
  teamId?: string;
  status?: ReferralStatus;
  type?: ReferralType;
  claimedBy?: string;
  subject?: string;
  correlationId?: string;
  /** Only these teams' referrals (the caller's, for a team-scoped caller). */
  teamIds?: readonly string[];
  limit?: number;
}

export interface QueueStats {
  queueId: string;
  teamId: string;
  skill: string;
  waiting: number;
  claimed: number;
  inProgress: number;
  arranged: number;
  oldestWaitingSince: Date | null;
  averageWaitingSeconds: number | null;
  overdue: number;
  escalatedOpen: number;
  breachedOpen: number;
  breachesLast24h: number;
}

/** A lease is "live" while it has not expired; an expired lease makes the referral claimable again. */
const CLAIMABLE = `(status = 'new' OR (status IN ('claimed', 'in-progress') AND lease_expires_at <= now()))`;
const OPEN = `status IN ('new', 'claimed', 'in-progress', 'scheduled', 'ordered')`;

@Injectable()
export class ReferralRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the referral unless its source already has one; returns it when created. */
  async insert(manager: EntityManager, referral: NewReferral): Promise<Referral | null> {
    const rows = await preparedQuery<ReferralRow>(
      manager,
      'referral:insert-referral',
      `INSERT INTO referrals (id, type, status, source_kind, source_id, source_key, source_event_id, subject, correlation_id,
                              team_id, skill, queue_id, language, priority, due_at, item_system, item_code, status_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (source_key) DO NOTHING RETURNING *`,
      [
        referral.id,
        referral.type,
        referral.status,
        referral.sourceKind,
        referral.sourceId,
        referral.sourceKey,
        referral.sourceEventId,
        referral.subject,
        referral.correlationId,
        referral.teamId,
        referral.skill,
        referral.queueId,
        referral.language,
        referral.priority,
        referral.dueAt,
        referral.item?.system ?? null,
        referral.item?.code ?? null,
        referral.statusReason,
      ],
    );
    return rows.length === 1 ? toReferral(rows[0]) : null;
  }

  async findById(manager: EntityManager, id: string): Promise<Referral | undefined> {
    const rows: ReferralRow[] = await manager.query('SELECT * FROM referrals WHERE id = $1', [id]);
    return rows.length === 1 ? toReferral(rows[0]) : undefined;
  }

  /** The referral locked for the caller's transaction, with the database's clock (leases are judged by it). */
  async lock(manager: EntityManager, id: string): Promise<{ referral: Referral; now: Date } | undefined> {
    const rows: Array<ReferralRow & { db_now: Date }> = await manager.query('SELECT *, now() AS db_now FROM referrals WHERE id = $1 FOR UPDATE', [id]);
    return rows.length === 1 ? { referral: toReferral(rows[0]), now: rows[0].db_now } : undefined;
  }

  async findBySourceKey(manager: EntityManager, sourceKey: string): Promise<Referral | undefined> {
    const rows: ReferralRow[] = await manager.query('SELECT * FROM referrals WHERE source_key = $1 FOR UPDATE', [sourceKey]);
    return rows.length === 1 ? toReferral(rows[0]) : undefined;
  }

  /**
   * Takes the next claimable referral of the nurse's queues in one statement: the row is chosen and
   * locked with SKIP LOCKED (so concurrent claimers never wait for, or get, the same row), and an
   * expired lease counts as claimable by the same clock that sets the new one.
   */
  async claimNext(manager: EntityManager, request: ClaimRequest): Promise<ClaimedReferral | null> {
    const [rows]: [Array<ReferralRow & { previous_status: ReferralStatus; previous_claimant: string | null }>, number] = await manager.query(
      `WITH next AS (
         SELECT id, status AS previous_status, claimed_by AS previous_claimant
         FROM referrals
         WHERE queue_id = ANY($1::text[]) AND ${CLAIMABLE}
           AND (language IS NULL OR language = ANY($2::text[]) OR created_at <= now() - make_interval(mins => $3::int))
         ORDER BY priority_rank, due_at, created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE referrals r
       SET status = 'claimed', claimed_by = $4, claimed_at = now(), lease_expires_at = now() + make_interval(secs => $5::int),
           status_reason = 'claimed-from-queue', updated_at = now()
       FROM next WHERE r.id = next.id
       RETURNING r.*, next.previous_status, next.previous_claimant`,
      [request.queueIds, request.languages, request.languageHoldMinutes, request.nurseId, request.leaseSeconds],
    );
    if (rows.length === 0) {
      return null;
    }
    const [row] = rows;
    return { referral: toReferral(row), previousStatus: row.previous_status, previousClaimant: row.previous_claimant };
  }

  /** Extends the holder's live lease in one statement; null when it is not theirs or already expired. */
  async renewLease(manager: EntityManager, id: string, nurseId: string, leaseSeconds: number): Promise<Referral | null> {
    const [rows]: [ReferralRow[], number] = await manager.query(
      `UPDATE referrals SET lease_expires_at = now() + make_interval(secs => $3::int), updated_at = now()
       WHERE id = $1 AND claimed_by = $2 AND status IN ('claimed', 'in-progress') AND lease_expires_at > now()
       RETURNING *`,
      [id, nurseId, leaseSeconds],
    );
    return rows.length === 1 ? toReferral(rows[0]) : null;
  }

  async applyTransition(
    manager: EntityManager,
    id: string,
    transition: Transition,
    leaseSeconds: number,
    details: { reason: string; scheduledFor?: Date | null; orderReference?: string | null },
  ): Promise<Referral> {
    const [rows]: [ReferralRow[], number] = await manager.query(
      `UPDATE referrals SET
         status = $2,
         claimed_at = CASE WHEN $3::text IS NULL THEN NULL WHEN $3::text IS DISTINCT FROM claimed_by THEN now() ELSE claimed_at END,
         claimed_by = $3,
         lease_expires_at = CASE $4::text WHEN 'grant' THEN now() + make_interval(secs => $5::int) WHEN 'clear' THEN NULL ELSE lease_expires_at END,
         status_reason = $6,
         scheduled_for = COALESCE($7, scheduled_for),
         order_reference = COALESCE($8, order_reference),
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, transition.to, transition.claimant, transition.lease, leaseSeconds, details.reason, details.scheduledFor ?? null, details.orderReference ?? null],
    );
    return toReferral(rows[0]);
  }

  /** Leased referrals whose lease ran out, locked (SKIP LOCKED) for the caller to put back in the queue. */
  async lockExpiredLeases(manager: EntityManager, limit: number): Promise<Array<{ referral: Referral; now: Date }>> {
    const rows: Array<ReferralRow & { db_now: Date }> = await manager.query(
      `SELECT *, now() AS db_now FROM referrals
       WHERE status IN ('claimed', 'in-progress') AND lease_expires_at <= now()
       ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row) => ({ referral: toReferral(row), now: row.db_now }));
  }

  async lockOpenForEpisode(manager: EntityManager, correlationId: string): Promise<Referral[]> {
    const rows: ReferralRow[] = await manager.query(`SELECT * FROM referrals WHERE correlation_id = $1 AND ${OPEN} ORDER BY created_at, id FOR UPDATE`, [
      correlationId,
    ]);
    return rows.map(toReferral);
  }

  async lockOpenForSubject(manager: EntityManager, subject: string): Promise<Referral[]> {
    const rows: ReferralRow[] = await manager.query(`SELECT * FROM referrals WHERE subject = $1 AND ${OPEN} ORDER BY created_at, id FOR UPDATE`, [subject]);
    return rows.map(toReferral);
  }

  /** A40 merge: the record merged away keeps no referrals. */
  async moveSubject(manager: EntityManager, fromSubject: string, toSubject: string): Promise<number> {
    const [, count]: [unknown, number] = await manager.query('UPDATE referrals SET subject = $2, updated_at = now() WHERE subject = $1', [fromSubject, toSubject]);
    return count;
  }

  /** Appends to the referral's history and answers the entry's id. */
  async addHistory(manager: EntityManager, entry: HistoryEntry): Promise<string> {
    const rows = await preparedQuery<{ id: string }>(
      manager,
      'referral:add-history',
      `INSERT INTO referral_history (referral_id, action, from_status, to_status, actor_id, claimed_by, reason, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [entry.referralId, entry.action, entry.fromStatus, entry.toStatus, entry.actorId, entry.claimedBy, entry.reason, entry.note ?? null],
    );
    return rows[0].id;
  }

  async history(manager: EntityManager, referralId: string): Promise<HistoryRecord[]> {
    const rows: Array<{
      id: string;
      referral_id: string;
      action: ReferralAction;
      from_status: ReferralStatus | null;
      to_status: ReferralStatus;
      actor_id: string;
      claimed_by: string | null;
      reason: string;
      note: string | null;
      occurred_at: Date;
    }> = await manager.query('SELECT * FROM referral_history WHERE referral_id = $1 ORDER BY id', [referralId]);
    return rows.map((row) => ({
      id: row.id,
      referralId: row.referral_id,
      action: row.action,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      actorId: row.actor_id,
      claimedBy: row.claimed_by,
      reason: row.reason,
      note: row.note,
      occurredAt: row.occurred_at,
    }));
  }

  async scheduleTimers(manager: EntityManager, referralId: string, timers: Array<{ step: SlaStep; fireAt: Date }>): Promise<void> {
    await preparedQuery(
      manager,
      'referral:schedule-timers',
      'INSERT INTO referral_timers (referral_id, step, fire_at) SELECT $1::uuid, step, fire_at FROM unnest($2::text[], $3::timestamptz[]) AS timer(step, fire_at) ON CONFLICT DO NOTHING',
      [referralId, timers.map((timer) => timer.step), timers.map((timer) => timer.fireAt)],
    );
  }

  /**
   * Drops the unfired timers of a referral that met its SLA. A timer the worker is firing right now
   * is skipped, not waited for (the worker holds it while waiting for this referral: a deadlock);
   * it finds the referral arranged or closed and does nothing.
   */
  async clearTimers(manager: EntityManager, referralId: string): Promise<void> {
    await manager.query(
      `DELETE FROM referral_timers WHERE (referral_id, step) IN (
         SELECT referral_id, step FROM referral_timers WHERE referral_id = $1 AND fired_at IS NULL FOR UPDATE SKIP LOCKED)`,
      [referralId],
    );
  }

  /** Due SLA timers, claimed with SKIP LOCKED and marked fired in the caller's transaction, so each fires once. */
  async claimDueTimers(manager: EntityManager, limit: number): Promise<Array<{ referralId: string; step: SlaStep }>> {
    const [rows]: [Array<{ referral_id: string; step: SlaStep }>, number] = await manager.query(
      `WITH due AS (
         SELECT referral_id, step FROM referral_timers WHERE fired_at IS NULL AND fire_at <= now()
         ORDER BY fire_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE referral_timers t SET fired_at = now() FROM due
       WHERE t.referral_id = due.referral_id AND t.step = due.step
       RETURNING t.referral_id, t.step`,
      [limit],
    );
    return rows.map((row) => ({ referralId: row.referral_id, step: row.step }));
  }

  async markSla(manager: EntityManager, referralId: string, step: SlaStep): Promise<void> {
    const column = step === 'breach' ? 'breached_at' : 'escalated_at';
    await manager.query(`UPDATE referrals SET ${column} = COALESCE(${column}, now()), updated_at = now() WHERE id = $1`, [referralId]);
  }

  async find(filter: ReferralFilter): Promise<Referral[]> {
    const rows: ReferralRow[] = await this.dataSource.query(
      `SELECT * FROM referrals
       WHERE ($1::text IS NULL OR queue_id = $1) AND ($2::text IS NULL OR team_id = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR type = $4) AND ($5::text IS NULL OR claimed_by = $5) AND ($6::text IS NULL OR subject = $6)
         AND ($7::text IS NULL OR correlation_id = $7) AND ($9::text[] IS NULL OR team_id = ANY ($9))
       ORDER BY priority_rank, due_at, created_at LIMIT $8`,
      [
        filter.queueId ?? null,
        filter.teamId ?? null,
        filter.status ?? null,
        filter.type ?? null,
        filter.claimedBy ?? null,
        filter.subject ?? null,
        filter.correlationId ?? null,
        filter.limit ?? 200,
        filter.teamIds ? [...filter.teamIds] : null,
      ],
    );
    return rows.map(toReferral);
  }

  /** Depth, age and SLA figures per queue, as a supervisor sees them; judged by the database's clock. */
  async queueStats(teamId: string | null): Promise<QueueStats[]> {
    const rows: Array<{
      queue_id: string;
      team_id: string;
      skill: string;
      waiting: string;
      claimed: string;
      in_progress: string;
      arranged: string;
      oldest_waiting_since: Date | null;
      average_waiting_seconds: string | null;
      overdue: string;
      escalated_open: string;
      breached_open: string;
      breaches_last_24h: string;
    }> = await this.dataSource.query(
      `SELECT queue_id, team_id, skill,
         count(*) FILTER (WHERE ${CLAIMABLE}) AS waiting,
         count(*) FILTER (WHERE status = 'claimed' AND lease_expires_at > now()) AS claimed,
         count(*) FILTER (WHERE status = 'in-progress' AND lease_expires_at > now()) AS in_progress,
         count(*) FILTER (WHERE status IN ('scheduled', 'ordered')) AS arranged,
         min(created_at) FILTER (WHERE ${CLAIMABLE}) AS oldest_waiting_since,
         round(avg(extract(epoch FROM now() - created_at)) FILTER (WHERE ${CLAIMABLE})) AS average_waiting_seconds,
         count(*) FILTER (WHERE status IN ('new', 'claimed', 'in-progress') AND due_at <= now()) AS overdue,
         count(*) FILTER (WHERE ${OPEN} AND escalated_at IS NOT NULL) AS escalated_open,
         count(*) FILTER (WHERE ${OPEN} AND breached_at IS NOT NULL) AS breached_open,
         count(*) FILTER (WHERE breached_at > now() - interval '24 hours') AS breaches_last_24h
       FROM referrals
       WHERE (${OPEN} OR breached_at > now() - interval '24 hours') AND ($1::text IS NULL OR team_id = $1)
       GROUP BY queue_id, team_id, skill
       ORDER BY team_id, skill`,
      [teamId],
    );
    return rows.map((row) => ({
      queueId: row.queue_id,
      teamId: row.team_id,
      skill: row.skill,
      waiting: Number(row.waiting),
      claimed: Number(row.claimed),
      inProgress: Number(row.in_progress),
      arranged: Number(row.arranged),
      oldestWaitingSince: row.oldest_waiting_since,
      averageWaitingSeconds: row.average_waiting_seconds === null ? null : Number(row.average_waiting_seconds),
      overdue: Number(row.overdue),
      escalatedOpen: Number(row.escalated_open),
      breachedOpen: Number(row.breached_open),
      breachesLast24h: Number(row.breaches_last_24h),
    }));
  }
}
