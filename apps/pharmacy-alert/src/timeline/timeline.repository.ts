import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '@sc/persistence';

export interface TimelineEntry {
  patientId: string;
  occurredAt: Date;
  team: 'hospital' | 'pharmacy' | 'nursing' | 'care-gap' | 'system';
  kind: string;
  actorId: string;
  /** A fixed phrase written by this service, never a person's free text. */
  summary: string;
  itemId?: string;
  /** The event this entry records, so a replay adds nothing. */
  eventId?: string;
}

export class TimelineEntryView {
  @ApiProperty() occurredAt!: string;
  @ApiProperty() team!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty() summary!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) itemId!: string | null;
}

@Injectable()
export class TimelineRepository {
  constructor(private readonly dataSource: DataSource) {}

  async add(manager: EntityManager, entry: TimelineEntry): Promise<void> {
    await preparedQuery(
      manager,
      'pharmacy-alert:timeline-add',
      `INSERT INTO timeline_entries (patient_id, occurred_at, team, kind, actor_id, summary, item_id, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (event_id) DO NOTHING`,
      [entry.patientId, entry.occurredAt, entry.team, entry.kind, entry.actorId, entry.summary, entry.itemId ?? null, entry.eventId ?? null],
    );
  }

  async forPatient(patientId: string): Promise<TimelineEntryView[]> {
    const rows: Array<{ occurred_at: Date; team: string; kind: string; actor_id: string; summary: string; item_id: string | null }> =
      await this.dataSource.query(
        'SELECT occurred_at, team, kind, actor_id, summary, item_id FROM timeline_entries WHERE patient_id = $1 ORDER BY occurred_at, id',
        [patientId],
      );
    return rows.map((row) => ({
      occurredAt: row.occurred_at.toISOString(),
      team: row.team,
      kind: row.kind,
      actorId: row.actor_id,
      summary: row.summary,
      itemId: row.item_id,
    }));
  }
}
