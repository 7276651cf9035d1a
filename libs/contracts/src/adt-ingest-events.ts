/**
 * What adt-ingest adds to its encounter events (owner: adt-ingest). The encounter payload itself
 * is `EncounterEventData` in events.ts; this is its optional `episode` part, written by the
 * encounter state machine (docs/architecture.md, "Encounter state machine").
 */
export type EncounterStateName = 'unknown' | 'preadmitted' | 'registered' | 'admitted' | 'discharged' | 'cancelled';

/** How one hospital message changed its encounter, so consumers can undo or correct what an earlier event did. */
export interface EncounterEpisode {
  /** The encounter's state after this event, and before it. */
  state: EncounterStateName;
  previousState: EncounterStateName;
  /** A cancel (A11, A12, A13): the event it takes back (its effects should be undone). */
  retractsEventId: string | null;
  /** A repeated state event (a second A01 or A03 for the visit): the event it corrects. */
  amendsEventId: string | null;
  /** A40: the episodes (correlation ids) that now belong to the surviving patient. */
  movedEpisodes: string[];
}
