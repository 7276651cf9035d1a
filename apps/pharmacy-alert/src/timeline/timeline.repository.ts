import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAtCommit, preparedQuery, type AppendKind } from '@sc/persistence';

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

/** Timeline entries are only appended, and read by the API alone: a transaction writes its entries in one statement at commit. */
const timelineEntries: AppendKind<TimelineEntry> = {
  key: 'pharmacy-alert:timeline',
  async write(manager, entries) {
    await preparedQuery(
      manager,
      'pharmacy-alert:timeline-add',
      `INSERT INTO timeline_entries (patient_id, occurred_at, team, kind, actor_id, summary, item_id, event_id)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        entries.map((entry) => entry.patientId),
        entries.map((entry) => entry.occurredAt),
        entries.map((entry) => entry.team),
        entries.map((entry) => entry.kind),
        entries.map((entry) => entry.actorId),
        entries.map((entry) => entry.summary),
        entries.map((entry) => entry.itemId ?? null),
        entries.map((entry) => entry.eventId ?? null),
      ],
    );
  },
};

@Injectable()
export class TimelineRepository {
  constructor(private readonly dataSource: DataSource) {}

  async add(manager: EntityManager, entry: TimelineEntry): Promise<void> {
    await appendAtCommit(manager, timelineEntries, [entry]);
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
