import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';

export class IdentityReviewView {
  @ApiProperty() id!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'Roster patients that might be the one, with their match score.' })
  candidates!: Array<{ patientId: string; score: number }>;
  @ApiProperty({ enum: ['open', 'resolved', 'dismissed'] }) status!: string;
  @ApiProperty() createdAt!: string;
}

interface ReviewRow {
  id: string;
  event_type: string;
  event: EventEnvelope;
  candidates: Array<{ patientId: string; score: number }>;
  reason: string;
  status: string;
  created_at: Date;
}

const toView = (row: ReviewRow): IdentityReviewView => ({
  id: row.id,
  eventType: row.event_type,
  reason: row.reason,
  candidates: row.candidates,
  status: row.status,
  createdAt: row.created_at.toISOString(),
});

@Injectable()
export class IdentityReviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  async open(manager: EntityManager, event: EventEnvelope, reason: string, candidates: Array<{ patientId: string; score: number }>): Promise<void> {
    await manager.query(
      `INSERT INTO identity_reviews (id, event_id, event_type, event, candidates, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (event_id) DO NOTHING`,
      [randomUUID(), event.id, event.type, JSON.stringify(event), JSON.stringify(candidates), reason],
    );
  }

  /** `teams`: only reviews proposing a patient of these teams (undefined: every review). */
  async list(status: string, teams?: readonly string[]): Promise<IdentityReviewView[]> {
    const rows: ReviewRow[] = await this.dataSource.query(
      `SELECT r.* FROM identity_reviews r
        WHERE r.status = $1
          AND ($2::text[] IS NULL OR EXISTS (
                SELECT 1 FROM jsonb_array_elements(r.candidates) c JOIN patients p ON p.id = (c->>'patientId')::uuid WHERE p.team_id = ANY ($2)))
        ORDER BY r.created_at LIMIT 500`,
      [status, teams ?? null],
    );
    return rows.map(toView);
  }

  async lock(manager: EntityManager, id: string): Promise<(IdentityReviewView & { event: EventEnvelope }) | undefined> {
    const rows: ReviewRow[] = await manager.query('SELECT * FROM identity_reviews WHERE id = $1 FOR UPDATE', [id]);
    return rows.length === 1 ? { ...toView(rows[0]), event: rows[0].event } : undefined;
  }

  async close(manager: EntityManager, id: string, status: 'resolved' | 'dismissed', actorId: string, patientId: string | null): Promise<void> {
    await manager.query(
      'UPDATE identity_reviews SET status = $2, resolved_by = $3, resolved_patient_id = $4, resolved_at = now() WHERE id = $1',
      [id, status, actorId, patientId],
    );
  }
}
