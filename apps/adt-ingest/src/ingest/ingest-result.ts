import type { EncounterOutcome } from '../encounters/encounter-state-machine';
import type { Acknowledgments } from './acknowledgments';

/** What happened to one message, for metrics and the caller (no patient data). */
export type Disposition =
  | 'accepted'
  | 'resend'
  | 'not-production'
  | 'rejected'
  | 'control-id-conflict'
  | 'storage-unavailable'
  | 'not-storable';

/** What the encounter state machine made of a stored message; `merged` for A40, `no-encounter` without a visit number. */
export type StateOutcome = EncounterOutcome | 'merged' | 'no-encounter';

export interface IngestResult {
  readonly disposition: Disposition;
  readonly acks: Acknowledgments;
  readonly messageId: string | null;
  readonly rejectId: string | null;
  readonly eventId: string | null;
  readonly stateOutcome: StateOutcome | null;
}
