import { Injectable } from '@nestjs/common';
import type { BatchTransaction } from '../ingest/batch-connections';
import type { EncounterRecord } from './encounter-state-machine';

/** An encounter row: the state machine's record plus who and what it is. */
export interface StoredEncounter {
  readonly sendingFacility: string;
  readonly visitNumber: string;
  subject: string;
  lastTrigger: string;
  record: EncounterRecord;
}

export const encounterKeyOf = (sendingFacility: string, visitNumber: string): string => `${sendingFacility}\u0000${visitNumber}`;

/** Patient merges (A40); encounter rows are read and written with their batch (BatchRepository). */
@Injectable()
export class EncounterRepository {
  /**
   * A40: `prior` merged into `surviving`. Its encounters move to the surviving patient, earlier
   * merges into `prior` now point at `surviving`, and later messages that still name `prior`
   * are attributed to `surviving`. Returns the episodes that moved.
   */
  async merge(transaction: BatchTransaction, prior: string, surviving: string): Promise<string[]> {
    await transaction.query('UPDATE patient_merges SET surviving_subject = $2, merged_at = now() WHERE surviving_subject = $1', [prior, surviving]);
    await transaction.query(
      `INSERT INTO patient_merges (prior_subject, surviving_subject) VALUES ($1, $2)
       ON CONFLICT (prior_subject) DO UPDATE SET surviving_subject = EXCLUDED.surviving_subject, merged_at = now()`,
      [prior, surviving],
    );
    // A record merged back: the surviving one is no longer merged away.
    await transaction.query('DELETE FROM patient_merges WHERE prior_subject = $1 OR prior_subject = surviving_subject', [surviving]);
    const moved = await transaction.query<{ sending_facility: string; visit_number: string }>(
      'UPDATE encounters SET subject = $2, updated_at = now() WHERE subject = $1 RETURNING sending_facility, visit_number',
      [prior, surviving],
    );
    return moved.map((row) => `enc:${row.sending_facility}:${row.visit_number}`).sort();
  }
}
