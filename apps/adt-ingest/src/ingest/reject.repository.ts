import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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

@Injectable()
export class RejectRepository {
  async insertMany(manager: EntityManager, rows: readonly RejectRow[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    const column = <T>(pick: (row: RejectRow) => T): T[] => rows.map(pick);
    await manager.query(
      `INSERT INTO rejects (id, sending_facility, control_id, error_code, error_segment, error_field, diagnostic, raw_masked,
         content_hash, channel, ack_mode, nak_text, replay_of)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[],
                            $9::text[], $10::text[], $11::text[], $12::text[], $13::uuid[])`,
      [
        column((r) => r.id),
        column((r) => r.sendingFacility),
        column((r) => r.controlId),
        column((r) => r.errorCode),
        column((r) => r.errorSegment),
        column((r) => r.errorField),
        column((r) => r.diagnostic),
        column((r) => r.rawMasked),
        column((r) => r.contentHash),
        column((r) => r.channel),
        column((r) => r.ackMode),
        column((r) => r.nakText),
        column((r) => r.replayOf),
      ],
    );
  }

  /** A replay of this reject was stored as a message: the reject is settled. */
  async markReplayed(manager: EntityManager, rejectId: string, messageId: string): Promise<void> {
    await manager.query(
      `UPDATE rejects SET status = 'replayed', replayed_at = now(), replayed_message_id = $2, replay_attempts = replay_attempts + 1
       WHERE id = $1`,
      [rejectId, messageId],
    );
  }

  async countReplayAttempt(manager: EntityManager, rejectId: string): Promise<void> {
    await manager.query('UPDATE rejects SET replay_attempts = replay_attempts + 1 WHERE id = $1', [rejectId]);
  }
}
