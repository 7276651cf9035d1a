import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { columnNames, recordset, type Columns } from './recordset';

/** A message we answered with a NAK, kept for search and replay (raw text already masked). */
export interface RejectRow {
  readonly id: string;
  readonly sendingFacility: string | null;
  readonly controlId: string | null;
  readonly errorCode: number;
  readonly errorSegment: string | null;
  readonly errorField: number | null;
  readonly diagnostic: string;
  readonly rawMasked: string;
  readonly contentHash: string;
  readonly channel: string;
  readonly ackMode: 'original' | 'enhanced';
  readonly nakText: string | null;
  readonly replayOf: string | null;
}

/** A rejects row as written; its keys are the table's columns. */
interface RejectRecord {
  id: string;
  sending_facility: string | null;
  control_id: string | null;
  error_code: number;
  error_segment: string | null;
  error_field: number | null;
  diagnostic: string;
  raw_masked: string;
  content_hash: string;
  channel: string;
  ack_mode: 'original' | 'enhanced';
  nak_text: string | null;
  replay_of: string | null;
}

export const REJECT_COLUMNS: Columns<RejectRecord> = {
  id: 'uuid',
  sending_facility: 'text',
  control_id: 'text',
  error_code: 'int',
  error_segment: 'text',
  error_field: 'int',
  diagnostic: 'text',
  raw_masked: 'text',
  content_hash: 'text',
  channel: 'text',
  ack_mode: 'text',
  nak_text: 'text',
  replay_of: 'uuid',
};

export const rejectRecord = (row: RejectRow): RejectRecord => ({
  id: row.id,
  sending_facility: row.sendingFacility,
  control_id: row.controlId,
  error_code: row.errorCode,
  error_segment: row.errorSegment,
  error_field: row.errorField,
  diagnostic: row.diagnostic,
  raw_masked: row.rawMasked,
  content_hash: row.contentHash,
  channel: row.channel,
  ack_mode: row.ackMode,
  nak_text: row.nakText,
  replay_of: row.replayOf,
});

const INSERT_REJECTS = `INSERT INTO rejects (${columnNames(REJECT_COLUMNS)})
  SELECT ${columnNames(REJECT_COLUMNS)} FROM ${recordset('$1::jsonb', 'j', REJECT_COLUMNS)}`;

/** Rejects outside a batch: messages refused before storage, or that the database refused. A batch writes its own with its rows (BatchRepository). */
@Injectable()
export class RejectRepository {
  async insertMany(manager: EntityManager, rows: readonly RejectRow[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await manager.query(INSERT_REJECTS, [JSON.stringify(rows.map(rejectRecord))]);
  }

  async countReplayAttempt(manager: EntityManager, rejectId: string): Promise<void> {
    await manager.query('UPDATE rejects SET replay_attempts = replay_attempts + 1 WHERE id = $1', [rejectId]);
  }
}
