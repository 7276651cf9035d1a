import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { flushDeferred, forgetInTransaction, preparedQuery, recallInTransaction, rememberInTransaction, writeBehind, type DeferredWrite } from '@sc/persistence';

interface HeldHold {
  id: string;
  episodeKey: string;
}

/**
 * Releases of holds the transaction locked with {@link RefillHoldRepository.prepareHeld}: nobody
 * else can change them before commit, and every other statement on refill holds writes the
 * pending releases first.
 */
const releases: DeferredWrite<{ id: string; reason: string }> = {
  key: 'pharmacy-alert:hold-releases',
  async write(manager, rows) {
    await preparedQuery(
      manager,
      'pharmacy-alert:release-holds',
      `UPDATE refill_holds SET status = 'released', reason = released.reason, released_at = now()
       FROM unnest($1::uuid[], $2::text[]) AS released(id, reason) WHERE refill_holds.id = released.id`,
      [rows.map((row) => row.id), rows.map((row) => row.reason)],
    );
  },
};

const heldKey = (patientId: string): string => `pharmacy-alert:held-holds:${patientId}`;

@Injectable()
export class RefillHoldRepository {
  /** Pauses automatic specialty shipments for an inpatient episode; returns the new hold's id, or nothing if one exists. */
  async place(manager: EntityManager, patientId: string, episodeKey: string, heldAt: Date): Promise<string | undefined> {
    await flushDeferred(manager, releases);
    forgetInTransaction(manager, heldKey(patientId));
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

  /**
   * Releases the patient's held holds (all episodes, or one); returns the released ids. When the
   * transaction locked the patient's holds beforehand, the answer comes from memory and the
   * release is written at commit.
   */
  async release(manager: EntityManager, patientId: string, reason: string, episodeKey?: string): Promise<string[]> {
    const held = await recallInTransaction<HeldHold[]>(manager, heldKey(patientId));
    if (held) {
      const released = held.filter((hold) => episodeKey === undefined || hold.episodeKey === episodeKey);
      rememberInTransaction(
        manager,
        heldKey(patientId),
        held.filter((hold) => !released.includes(hold)),
      );
      await writeBehind(
        manager,
        releases,
        released.map((hold) => ({ id: hold.id, reason })),
      );
      return released.map((hold) => hold.id);
    }
    await flushDeferred(manager, releases);
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE refill_holds SET status = 'released', reason = $2, released_at = now()
       WHERE patient_id = $1 AND status = 'held' AND ($3::text IS NULL OR episode_key = $3) RETURNING id`,
      [patientId, reason, episodeKey ?? null],
    );
    return rows.map((row) => row.id);
  }

  /** Locks the held holds of a run's patients in one statement and remembers them, so {@link release} needs no round trip. */
  async prepareHeld(manager: EntityManager, patientIds: readonly string[]): Promise<void> {
    if (patientIds.length === 0) {
      return;
    }
    await flushDeferred(manager, releases);
    const rows: Array<{ id: string; patient_id: string; episode_key: string }> = await preparedQuery(
      manager,
      'pharmacy-alert:lock-held-holds',
      // In id order, so two transactions locking overlapping holds wait rather than deadlock.
      `SELECT id, patient_id, episode_key FROM refill_holds WHERE patient_id = ANY($1::uuid[]) AND status = 'held' ORDER BY id FOR UPDATE`,
      [patientIds],
    );
    const held = new Map<string, HeldHold[]>(patientIds.map((patientId) => [patientId, []]));
    for (const row of rows) {
      held.get(row.patient_id)?.push({ id: row.id, episodeKey: row.episode_key });
    }
    for (const [patientId, holds] of held) {
      rememberInTransaction(manager, heldKey(patientId), holds);
    }
  }

  async moveHeld(manager: EntityManager, fromPatientId: string, toPatientId: string): Promise<void> {
    await flushDeferred(manager, releases);
    forgetInTransaction(manager, heldKey(fromPatientId));
    forgetInTransaction(manager, heldKey(toPatientId));
    await manager.query(`UPDATE refill_holds SET patient_id = $2 WHERE patient_id = $1 AND status = 'held'`, [fromPatientId, toPatientId]);
  }

  async forPatient(manager: EntityManager, patientId: string): Promise<Array<{ id: string; status: string; reason: string; episodeKey: string }>> {
    await flushDeferred(manager, releases);
    const rows: Array<{ id: string; status: string; reason: string; episode_key: string }> = await manager.query(
      'SELECT id, status, reason, episode_key FROM refill_holds WHERE patient_id = $1 ORDER BY held_at',
      [patientId],
    );
    return rows.map((row) => ({ id: row.id, status: row.status, reason: row.reason, episodeKey: row.episode_key }));
  }
}
