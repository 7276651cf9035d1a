import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { flushDeferred, forgetInTransaction, preparedQuery, recallInTransaction, rememberInTransaction, writeBehind, type DeferredWrite } from '@sc/persistence';

interface HeldHold {
  id: string;
  episodeKey: string;
}

type HoldChange =
  | { change: 'release'; id: string; reason: string }
  | { change: 'place'; id: string; patientId: string; episodeKey: string; heldAt: Date; stored: boolean };

/**
 * Releases and placements of holds the transaction looked up with
 * {@link RefillHoldRepository.prepareHolds}: nobody else can change a locked hold before commit, and
 * every other statement on refill holds writes the pending changes first. One kind for both, so
 * that a hold released and held again in one transaction (A03 then A13) changes in that order: a
 * second change of a hold first writes what is pending. A placement that is not a released hold
 * held again inserts without ON CONFLICT: a hold stored for the episode meanwhile fails the
 * transaction (which is then retried one event at a time) rather than announcing a hold that was
 * never stored.
 */
const holdChanges: DeferredWrite<HoldChange> = {
  key: 'pharmacy-alert:hold-changes',
  conflictKeys: (row) => [row.id],
  async write(manager, rows) {
    const releases = rows.filter((row) => row.change === 'release');
    const placements = rows.filter((row) => row.change === 'place');
    const added = placements.filter((row) => !row.stored);
    await preparedQuery(
      manager,
      'pharmacy-alert:change-holds',
      `WITH released AS (
         UPDATE refill_holds SET status = 'released', reason = released.reason, released_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS released(id, reason) WHERE refill_holds.id = released.id
       ), held_again AS (
         UPDATE refill_holds SET status = 'held', reason = 'inpatient', released_at = NULL WHERE id = ANY($3::uuid[])
       )
       INSERT INTO refill_holds (id, patient_id, episode_key, status, reason, held_at)
       SELECT id, patient_id, episode_key, 'held', 'inpatient', held_at
       FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[]) AS hold(id, patient_id, episode_key, held_at)`,
      [
        releases.map((row) => row.id),
        releases.map((row) => row.reason),
        placements.filter((row) => row.stored).map((row) => row.id),
        added.map((row) => row.id),
        added.map((row) => row.patientId),
        added.map((row) => row.episodeKey),
        added.map((row) => row.heldAt),
      ],
    );
  },
};

const heldKey = (patientId: string): string => `pharmacy-alert:held-holds:${patientId}`;
const episodeHoldsOf = (patientId: string): string => `pharmacy-alert:episode-hold:${patientId}:`;
/** The hold of one episode of a patient as the transaction knows it; null: the episode has none. */
const episodeHoldKey = (patientId: string, episodeKey: string): string => `${episodeHoldsOf(patientId)}${episodeKey}`;

interface EpisodeHold {
  id: string;
  status: 'held' | 'released';
}

/** Forgets all the transaction knows of the patient's holds, before a statement that changes them unseen. */
function forgetHolds(manager: EntityManager, patientId: string): void {
  forgetInTransaction(manager, heldKey(patientId));
  forgetInTransaction(manager, episodeHoldsOf(patientId));
}

@Injectable()
export class RefillHoldRepository {
  /**
   * Pauses automatic specialty shipments for an inpatient episode; returns the hold's id, or
   * nothing if the episode's hold is already held. When the transaction looked the episode's hold
   * up, the answer comes from memory and the hold is written at commit.
   */
  async place(manager: EntityManager, patientId: string, episodeKey: string, heldAt: Date): Promise<string | undefined> {
    const known = await recallInTransaction<EpisodeHold | null>(manager, episodeHoldKey(patientId, episodeKey));
    const held = await recallInTransaction<HeldHold[]>(manager, heldKey(patientId));
    if (known !== undefined && held !== undefined) {
      if (known?.status === 'held') {
        return undefined;
      }
      const id = known?.id ?? randomUUID();
      await writeBehind(manager, holdChanges, [{ change: 'place', id, patientId, episodeKey, heldAt, stored: known !== null }]);
      rememberInTransaction<EpisodeHold>(manager, episodeHoldKey(patientId, episodeKey), { id, status: 'held' });
      rememberInTransaction<HeldHold[]>(manager, heldKey(patientId), [...held, { id, episodeKey }]);
      return id;
    }
    await flushDeferred(manager, holdChanges);
    forgetHolds(manager, patientId);
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
      for (const hold of released) {
        rememberInTransaction<EpisodeHold>(manager, episodeHoldKey(patientId, hold.episodeKey), { id: hold.id, status: 'released' });
      }
      await writeBehind(
        manager,
        holdChanges,
        released.map((hold) => ({ change: 'release' as const, id: hold.id, reason })),
      );
      return released.map((hold) => hold.id);
    }
    await flushDeferred(manager, holdChanges);
    forgetHolds(manager, patientId);
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE refill_holds SET status = 'released', reason = $2, released_at = now()
       WHERE patient_id = $1 AND status = 'held' AND ($3::text IS NULL OR episode_key = $3) RETURNING id`,
      [patientId, reason, episodeKey ?? null],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Locks the held holds of a run's patients, and the holds of the episodes given (an admission's,
   * held or not), in one statement and remembers them, so {@link release} and {@link place} need
   * no round trip.
   */
  async prepareHolds(manager: EntityManager, patientIds: readonly string[], episodes: ReadonlyArray<{ patientId: string; episodeKey: string }> = []): Promise<void> {
    if (patientIds.length === 0) {
      return;
    }
    await flushDeferred(manager, holdChanges);
    const rows: Array<{ id: string; patient_id: string; episode_key: string; status: string }> = await preparedQuery(
      manager,
      'pharmacy-alert:lock-run-holds',
      // In id order, so two transactions locking overlapping holds wait rather than deadlock.
      `SELECT h.id, h.patient_id, h.episode_key, h.status FROM refill_holds h
       WHERE h.patient_id = ANY($1::uuid[])
         AND (h.status = 'held' OR (h.patient_id, h.episode_key) IN (SELECT * FROM unnest($2::uuid[], $3::text[])))
       ORDER BY h.id FOR UPDATE`,
      [patientIds, episodes.map((episode) => episode.patientId), episodes.map((episode) => episode.episodeKey)],
    );
    const held = new Map<string, HeldHold[]>(patientIds.map((patientId) => [patientId, []]));
    for (const episode of episodes) {
      rememberInTransaction<EpisodeHold | null>(manager, episodeHoldKey(episode.patientId, episode.episodeKey), null);
    }
    for (const row of rows) {
      if (row.status === 'held') {
        held.get(row.patient_id)?.push({ id: row.id, episodeKey: row.episode_key });
      }
      rememberInTransaction<EpisodeHold>(manager, episodeHoldKey(row.patient_id, row.episode_key), { id: row.id, status: row.status === 'held' ? 'held' : 'released' });
    }
    for (const [patientId, holds] of held) {
      rememberInTransaction(manager, heldKey(patientId), holds);
    }
  }

  async moveHeld(manager: EntityManager, fromPatientId: string, toPatientId: string): Promise<void> {
    await flushDeferred(manager, holdChanges);
    forgetHolds(manager, fromPatientId);
    forgetHolds(manager, toPatientId);
    await manager.query(`UPDATE refill_holds SET patient_id = $2 WHERE patient_id = $1 AND status = 'held'`, [fromPatientId, toPatientId]);
  }

  async forPatient(manager: EntityManager, patientId: string): Promise<Array<{ id: string; status: string; reason: string; episodeKey: string }>> {
    await flushDeferred(manager, holdChanges);
    const rows: Array<{ id: string; status: string; reason: string; episode_key: string }> = await manager.query(
      'SELECT id, status, reason, episode_key FROM refill_holds WHERE patient_id = $1 ORDER BY held_at',
      [patientId],
    );
    return rows.map((row) => ({ id: row.id, status: row.status, reason: row.reason, episodeKey: row.episode_key }));
  }
}
