import type { EncounterStateName } from '@sc/contracts';
import type { AdtTriggerEvent } from '@sc/hl7';

export type EncounterState = EncounterStateName;

/** Cancels that arrived before the event they cancel, by the clinical time of the cancel. */
export interface HeldCancels {
  readonly admission: string | null;
  readonly transfer: string | null;
  readonly discharge: string | null;
}

/**
 * One encounter (sending facility + visit number) as the state machine sees it. Times are
 * ISO-8601 clinical times; event ids are those of the events published for the encounter, so a
 * cancel can name what it takes back.
 */
export interface EncounterRecord {
  readonly state: EncounterState;
  /** Clinical time of the event that set the state. */
  readonly stateAt: string | null;
  readonly stateBeforeDischarge: EncounterState | null;
  readonly admittedAt: string | null;
  readonly dischargedAt: string | null;
  readonly transferredAt: string | null;
  readonly admissionEventId: string | null;
  readonly dischargeEventId: string | null;
  readonly transferEventId: string | null;
  /** Clinical time of the newest A08 applied. */
  readonly updatedAt: string | null;
  readonly held: HeldCancels;
}

export const NEW_ENCOUNTER: EncounterRecord = Object.freeze({
  state: 'unknown',
  stateAt: null,
  stateBeforeDischarge: null,
  admittedAt: null,
  dischargedAt: null,
  transferredAt: null,
  admissionEventId: null,
  dischargeEventId: null,
  transferEventId: null,
  updatedAt: null,
  held: Object.freeze({ admission: null, transfer: null, discharge: null }),
});

/**
 * - applied: the event moved the encounter on; published.
 * - updated: A08 with newer information; published, state unchanged.
 * - amended: the state event again (a second A01/A03 for the visit); published, naming the event it corrects.
 * - retracted: a cancel took back an earlier event; published, naming that event.
 * - held: a cancel arrived before what it cancels; kept, nothing published.
 * - suppressed: an event arrived after its own cancel; nothing published.
 * - stale: older than what the encounter already shows (or impossible in its state); nothing published.
 */
export type EncounterOutcome = 'applied' | 'updated' | 'amended' | 'retracted' | 'held' | 'suppressed' | 'stale';

export interface EncounterInput {
  readonly trigger: Exclude<AdtTriggerEvent, 'A40'>;
  /** Clinical time of the message (PV1-45 for A03, else EVN-6, EVN-2, MSH-7). */
  readonly clinicalTime: string;
  /** Id the event gets if one is published. */
  readonly eventId: string;
}

/**
 * What a message said that does not fit what the encounter already shows, recorded on the message
 * for the interface team while the message still takes effect:
 * - discharge-before-last-event: an A03 whose discharge time is earlier than the event that set
 *   the encounter's state (a transfer entered after the discharge time, a clock skew).
 * - discharge-after-cancelled-admission: an A03 for an encounter whose admission was cancelled.
 */
export type EncounterWarning = 'discharge-before-last-event' | 'discharge-after-cancelled-admission';

export interface EncounterTransition {
  readonly outcome: EncounterOutcome;
  readonly record: EncounterRecord;
  /** Set when an event is published. */
  readonly publish: { readonly retractsEventId: string | null; readonly amendsEventId: string | null } | null;
  readonly warnings?: readonly EncounterWarning[];
}

const instant = (iso: string): number => Date.parse(iso);
const isBefore = (a: string, b: string | null): boolean => b !== null && instant(a) < instant(b);
const notAfter = (a: string, b: string | null): boolean => b !== null && instant(a) <= instant(b);
const later = (a: string, b: string | null): string => (b !== null && instant(b) > instant(a) ? b : a);

type ForwardTrigger = 'A01' | 'A02' | 'A03' | 'A04' | 'A05' | 'A06' | 'A07';
type HeldKind = keyof HeldCancels;

const HELD_FOR: { readonly [T in ForwardTrigger]: HeldKind | null } = {
  A01: 'admission',
  A04: 'admission',
  A05: 'admission',
  A02: 'transfer',
  A03: 'discharge',
  A06: null,
  A07: null,
};

/** The state a forward event leads to from `current`, or undefined when it cannot happen there. */
function targetState(trigger: ForwardTrigger, current: EncounterState): EncounterState | undefined {
  switch (trigger) {
    case 'A05':
      return ['unknown', 'preadmitted', 'cancelled'].includes(current) ? 'preadmitted' : undefined;
    case 'A04':
      return current === 'admitted' ? undefined : 'registered';
    case 'A01':
      return 'admitted';
    case 'A06':
      return ['unknown', 'preadmitted', 'registered', 'admitted'].includes(current) ? 'admitted' : undefined;
    case 'A07':
      return ['unknown', 'registered', 'admitted'].includes(current) ? 'registered' : undefined;
    case 'A02':
      if (current === 'unknown') {
        return 'admitted';
      }
      return current === 'admitted' || current === 'registered' ? current : undefined;
    case 'A03':
      return current === 'cancelled' ? undefined : 'discharged';
  }
}

const withHeld = (record: EncounterRecord, kind: HeldKind, value: string | null): EncounterRecord => ({ ...record, held: { ...record.held, [kind]: value } });

const unchanged = (record: EncounterRecord, outcome: 'held' | 'suppressed' | 'stale'): EncounterTransition => ({ outcome, record, publish: null });

const published = (outcome: EncounterOutcome, record: EncounterRecord, links: { retractsEventId?: string | null; amendsEventId?: string | null } = {}): EncounterTransition => ({
  outcome,
  record,
  publish: { retractsEventId: links.retractsEventId ?? null, amendsEventId: links.amendsEventId ?? null },
});

/**
 * What one ADT event does to its encounter. Pure: the caller loads the record, applies the
 * transition and stores the result in the same transaction as the message and its event.
 *
 * Arrival order is not clinical order, so events are placed by clinical time: a state event older
 * than the encounter's current state is stale; a cancel that arrives before its event is held
 * and suppresses that event when it comes; A08 carries information, never state, so it neither
 * reopens a discharged encounter nor makes an earlier discharge look stale.
 */
export function nextEncounter(record: EncounterRecord, input: EncounterInput): EncounterTransition {
  switch (input.trigger) {
    case 'A08':
      return update(record, input);
    case 'A11':
      return cancelAdmission(record, input);
    case 'A12':
      return cancelTransfer(record, input);
    case 'A13':
      return cancelDischarge(record, input);
    case 'A01':
    case 'A02':
    case 'A03':
    case 'A04':
    case 'A05':
    case 'A06':
    case 'A07':
      return forward(record, { ...input, trigger: input.trigger });
  }
}

function update(record: EncounterRecord, { clinicalTime }: EncounterInput): EncounterTransition {
  if (isBefore(clinicalTime, record.updatedAt)) {
    return unchanged(record, 'stale');
  }
  return published('updated', { ...record, updatedAt: clinicalTime });
}

function forward(record: EncounterRecord, input: EncounterInput & { trigger: ForwardTrigger }): EncounterTransition {
  const { trigger, clinicalTime, eventId } = input;
  const heldKind = HELD_FOR[trigger];
  let current = record;
  if (heldKind !== null && current.held[heldKind] !== null) {
    if (notAfter(clinicalTime, current.held[heldKind])) {
      return { outcome: 'suppressed', record: withHeld(current, heldKind, null), publish: null };
    }
    current = withHeld(current, heldKind, null);
  }
  if (trigger === 'A03' && current.state !== 'discharged') {
    return discharge(current, input);
  }
  if (isBefore(clinicalTime, current.stateAt)) {
    // A late admission still tells us when the patient came in.
    const late = (trigger === 'A01' || trigger === 'A04') && current.admittedAt === null ? { ...current, admittedAt: clinicalTime } : current;
    return unchanged(late, 'stale');
  }
  const target = targetState(trigger, current.state);
  if (target === undefined) {
    return unchanged(current, 'stale');
  }
  const moved: EncounterRecord = { ...current, state: target, stateAt: clinicalTime };
  switch (trigger) {
    case 'A01':
    case 'A04':
    case 'A05': {
      const repeat = current.state === target && current.admissionEventId !== null;
      // Admitted again on the same visit number after a discharge: the old discharge no longer applies.
      const readmission = current.state === 'discharged' ? { stateBeforeDischarge: null, dischargedAt: null, dischargeEventId: null } : {};
      const next = { ...moved, ...readmission, admittedAt: trigger === 'A05' ? current.admittedAt : clinicalTime, admissionEventId: eventId };
      return repeat ? published('amended', next, { amendsEventId: current.admissionEventId }) : published('applied', next);
    }
    case 'A02':
      return published('applied', { ...moved, transferredAt: clinicalTime, transferEventId: eventId });
    case 'A03':
      return published('amended', { ...moved, dischargedAt: clinicalTime, dischargeEventId: eventId }, { amendsEventId: current.dischargeEventId });
    case 'A06':
    case 'A07':
      return published('applied', moved);
  }
}

/**
 * The first discharge of an encounter always takes effect: a patient who left must reach the
 * people who call them, whatever the order of clinical times the feed shows. What does not fit
 * is recorded as a warning on the message instead.
 */
function discharge(current: EncounterRecord, { clinicalTime, eventId }: EncounterInput): EncounterTransition {
  const warnings: EncounterWarning[] = [];
  if (current.state === 'cancelled') {
    warnings.push('discharge-after-cancelled-admission');
  }
  if (isBefore(clinicalTime, current.stateAt)) {
    warnings.push('discharge-before-last-event');
  }
  return {
    ...published('applied', { ...current, state: 'discharged', stateAt: clinicalTime, stateBeforeDischarge: current.state, dischargedAt: clinicalTime, dischargeEventId: eventId }),
    warnings,
  };
}

function cancelDischarge(record: EncounterRecord, { clinicalTime }: EncounterInput): EncounterTransition {
  switch (record.state) {
    case 'discharged':
      if (isBefore(clinicalTime, record.dischargedAt)) {
        // The cancel is older than the discharge on record: it took back an earlier one.
        return unchanged(record, 'stale');
      }
      return published(
        'retracted',
        {
          ...record,
          state: record.stateBeforeDischarge === null || record.stateBeforeDischarge === 'unknown' ? 'admitted' : record.stateBeforeDischarge,
          stateAt: clinicalTime,
          stateBeforeDischarge: null,
          dischargedAt: null,
          dischargeEventId: null,
        },
        { retractsEventId: record.dischargeEventId },
      );
    case 'cancelled':
      return unchanged(record, 'stale');
    case 'unknown':
    case 'preadmitted':
    case 'registered':
    case 'admitted':
      return unchanged(withHeld(record, 'discharge', later(clinicalTime, record.held.discharge)), 'held');
  }
}

function cancelAdmission(record: EncounterRecord, { clinicalTime }: EncounterInput): EncounterTransition {
  switch (record.state) {
    case 'unknown':
      return unchanged(withHeld(record, 'admission', later(clinicalTime, record.held.admission)), 'held');
    case 'cancelled':
      return unchanged(record, 'stale');
    case 'preadmitted':
    case 'registered':
    case 'admitted':
    case 'discharged':
      if (isBefore(clinicalTime, record.admittedAt)) {
        return unchanged(record, 'stale');
      }
      return published(
        'retracted',
        { ...record, state: 'cancelled', stateAt: clinicalTime, admissionEventId: null },
        { retractsEventId: record.admissionEventId },
      );
  }
}

function cancelTransfer(record: EncounterRecord, { clinicalTime }: EncounterInput): EncounterTransition {
  if (record.transferEventId !== null && !isBefore(clinicalTime, record.transferredAt)) {
    return published('retracted', { ...record, transferEventId: null, transferredAt: null }, { retractsEventId: record.transferEventId });
  }
  if (record.transferEventId === null && ['unknown', 'admitted', 'registered'].includes(record.state)) {
    return unchanged(withHeld(record, 'transfer', later(clinicalTime, record.held.transfer)), 'held');
  }
  return unchanged(record, 'stale');
}
