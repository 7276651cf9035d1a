import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { deferredStatement, writeBehind } from '@sc/persistence';

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

const timelineEntries = deferredStatement<TimelineEntry>({
  key: 'pharmacy-alert:timeline',
  statement: 'pharmacy-alert:timeline-add',
  text: `INSERT INTO timeline_entries (patient_id, occurred_at, team, kind, actor_id, summary, item_id, event_id)
       SELECT patient_id, occurred_at, team, kind, actor_id, summary, item_id, event_id
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
         WITH ORDINALITY AS entry(patient_id, occurred_at, team, kind, actor_id, summary, item_id, event_id, position)
       ORDER BY position
       ON CONFLICT (event_id) DO NOTHING`,
  columns: [
    (entry) => entry.patientId,
    (entry) => entry.occurredAt,
    (entry) => entry.team,
    (entry) => entry.kind,
    (entry) => entry.actorId,
    (entry) => entry.summary,
    (entry) => entry.itemId ?? null,
    (entry) => entry.eventId ?? null,
  ],
});

@Injectable()
export class TimelineRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Entries are only read by the timeline view, never by the transaction adding them: they are written at commit. */
  async add(manager: EntityManager, entry: TimelineEntry): Promise<void> {
    await writeBehind(manager, timelineEntries, [entry]);
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
