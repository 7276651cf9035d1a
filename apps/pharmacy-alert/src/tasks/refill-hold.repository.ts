import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@sc/persistence';

@Injectable()
export class RefillHoldRepository {
  /** Pauses automatic specialty shipments for an inpatient episode; returns the hold's id, or nothing if the episode's hold is already held. */
  async place(manager: EntityManager, patientId: string, episodeKey: string, heldAt: Date): Promise<string | undefined> {
    const rows = await preparedQuery<{ id: string }>(
      manager,
      'pharmacy-alert:place-hold',
      `INSERT INTO refill_holds (id, patient_id, episode_key, status, reason, held_at) VALUES ($1, $2, $3, 'held', 'inpatient', $4)
       ON CONFLICT (patient_id, episode_key) DO UPDATE SET status = 'held', reason = 'inpatient', released_at = NULL
         WHERE refill_holds.status <> 'held'
       RETURNING id`,
      [randomUUID(), patientId, episodeKey, heldAt],
    );
    return rows[0]?.id;
  }

  /** Releases the patient's held holds (all episodes, or one); returns the released ids. */
  async release(manager: EntityManager, patientId: string, reason: string, episodeKey?: string): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE refill_holds SET status = 'released', reason = $2, released_at = now()
       WHERE patient_id = $1 AND status = 'held' AND ($3::text IS NULL OR episode_key = $3) RETURNING id`,
      [patientId, reason, episodeKey ?? null],
    );
    return rows.map((row) => row.id);
  }

  async moveHeld(manager: EntityManager, fromPatientId: string, toPatientId: string): Promise<void> {
    await manager.query(`UPDATE refill_holds SET patient_id = $2 WHERE patient_id = $1 AND status = 'held'`, [fromPatientId, toPatientId]);
  }

  async forPatient(manager: EntityManager, patientId: string): Promise<Array<{ id: string; status: string; reason: string; episodeKey: string }>> {
    const rows: Array<{ id: string; status: string; reason: string; episode_key: string }> = await manager.query(
      'SELECT id, status, reason, episode_key FROM refill_holds WHERE patient_id = $1 ORDER BY held_at',
      [patientId],
    );
    return rows.map((row) => ({ id: row.id, status: row.status, reason: row.reason, episodeKey: row.episode_key }));
  }
}
