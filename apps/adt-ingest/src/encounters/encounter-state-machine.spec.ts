import { NEW_ENCOUNTER, nextEncounter, type EncounterInput, type EncounterRecord, type EncounterTransition } from './encounter-state-machine';

type Step = [EncounterInput['trigger'], string];

const at = (hhmm: string): string => `2026-11-20T${hhmm}:00.000Z`;

/** Runs events in arrival order; each gets the event id `<trigger>@<time>`. */
function run(steps: readonly Step[], start: EncounterRecord = NEW_ENCOUNTER): EncounterTransition[] {
  const transitions: EncounterTransition[] = [];
  let record = start;
  for (const [trigger, time] of steps) {
    const transition = nextEncounter(record, { trigger, clinicalTime: at(time), eventId: `${trigger}@${time}` });
    transitions.push(transition);
    record = transition.record;
  }
  return transitions;
}

const outcomes = (transitions: EncounterTransition[]): string[] => transitions.map((transition) => transition.outcome);
const last = (transitions: EncounterTransition[]): EncounterTransition => transitions[transitions.length - 1];

describe(nextEncounter.name, () => {
  it('follows a visit from preadmission through admission, transfer and discharge', () => {
    const transitions = run([
      ['A05', '08:00'],
      ['A01', '09:00'],
      ['A02', '10:00'],
      ['A03', '14:25'],
    ]);

    expect(outcomes(transitions)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(transitions.map((transition) => transition.record.state)).toEqual(['preadmitted', 'admitted', 'admitted', 'discharged']);
    expect(last(transitions).record).toMatchObject({ admittedAt: at('09:00'), dischargedAt: at('14:25'), dischargeEventId: 'A03@14:25' });
  });

  it('retracts the discharge on A13, naming the discharge event, and returns the encounter to admitted', () => {
    const cancel = last(run([
      ['A01', '09:00'],
      ['A03', '14:25'],
      ['A13', '15:00'],
    ]));

    expect(cancel.outcome).toBe('retracted');
    expect(cancel.publish).toEqual({ retractsEventId: 'A03@14:25', amendsEventId: null });
    expect(cancel.record).toMatchObject({ state: 'admitted', dischargedAt: null, dischargeEventId: null });
  });

  it('returns an outpatient to registered when its discharge is cancelled', () => {
    expect(last(run([['A04', '09:00'], ['A03', '11:00'], ['A13', '11:30']])).record.state).toBe('registered');
  });

  it('holds an A13 that arrives before its A03 and suppresses that A03 when it comes', () => {
    const transitions = run([
      ['A01', '09:00'],
      ['A13', '15:00'],
      ['A03', '14:25'],
    ]);

    expect(outcomes(transitions)).toEqual(['applied', 'held', 'suppressed']);
    expect(transitions[2].publish).toBeNull();
    expect(transitions[2].record).toMatchObject({ state: 'admitted', held: { discharge: null } });
  });

  it('applies a discharge that comes after a held cancel but happened later than it', () => {
    const transitions = run([
      ['A13', '15:00'],
      ['A03', '16:00'],
    ]);

    expect(outcomes(transitions)).toEqual(['held', 'applied']);
    expect(last(transitions).record).toMatchObject({ state: 'discharged', held: { discharge: null } });
  });

  it('applies an A03 that arrives after a later A08, because an update carries no state', () => {
    const transitions = run([
      ['A01', '09:00'],
      ['A08', '16:00'],
      ['A03', '14:25'],
    ]);

    expect(outcomes(transitions)).toEqual(['applied', 'updated', 'applied']);
    expect(last(transitions).record.state).toBe('discharged');
  });

  it('does not reopen a discharged encounter on A08', () => {
    const update = last(run([['A01', '09:00'], ['A03', '14:25'], ['A08', '16:00']]));

    expect(update.outcome).toBe('updated');
    expect(update.record.state).toBe('discharged');
  });

  it('drops an A08 older than the newest one applied', () => {
    const transitions = run([
      ['A08', '12:00'],
      ['A08', '11:00'],
    ]);

    expect(outcomes(transitions)).toEqual(['updated', 'stale']);
    expect(transitions[1].publish).toBeNull();
  });

  it('treats an admission that arrives after the discharge as stale, keeping its admission time', () => {
    const late = last(run([['A03', '14:25'], ['A01', '09:00']]));

    expect(late.outcome).toBe('stale');
    expect(late.publish).toBeNull();
    expect(late.record).toMatchObject({ state: 'discharged', admittedAt: at('09:00') });
  });

  it('treats a transfer that arrives after the discharge as stale', () => {
    expect(outcomes(run([['A01', '09:00'], ['A03', '14:25'], ['A02', '10:00']]))).toEqual(['applied', 'applied', 'stale']);
  });

  it('readmits on the same visit number when the admission is later than the discharge', () => {
    const readmission = last(run([['A01', '09:00'], ['A03', '14:25'], ['A01', '18:00']]));

    expect(readmission.outcome).toBe('applied');
    expect(readmission.record).toMatchObject({ state: 'admitted', dischargedAt: null, dischargeEventId: null, admissionEventId: 'A01@18:00' });
  });

  it('amends a second discharge, naming the discharge it corrects', () => {
    const second = last(run([['A01', '09:00'], ['A03', '14:25'], ['A03', '14:40']]));

    expect(second.outcome).toBe('amended');
    expect(second.publish).toEqual({ retractsEventId: null, amendsEventId: 'A03@14:25' });
    expect(second.record).toMatchObject({ dischargedAt: at('14:40'), dischargeEventId: 'A03@14:40' });
  });

  it('amends a second admission for the same visit', () => {
    expect(last(run([['A01', '09:00'], ['A01', '09:05']])).publish).toEqual({ retractsEventId: null, amendsEventId: 'A01@09:00' });
  });

  it('ignores a cancel that is older than the discharge on record (it cancelled an earlier one)', () => {
    const transitions = run([
      ['A03', '09:00'],
      ['A03', '11:00'],
      ['A13', '10:00'],
    ]);

    expect(outcomes(transitions)).toEqual(['applied', 'amended', 'stale']);
    expect(last(transitions).record).toMatchObject({ state: 'discharged', dischargedAt: at('11:00') });
  });

  it('cancels the admission on A11, naming the admission event', () => {
    const cancel = last(run([['A01', '09:00'], ['A11', '09:30']]));

    expect(cancel.outcome).toBe('retracted');
    expect(cancel.publish?.retractsEventId).toBe('A01@09:00');
    expect(cancel.record.state).toBe('cancelled');
  });

  it('holds an A11 that arrives before its A01 and suppresses that A01', () => {
    expect(outcomes(run([['A11', '09:30'], ['A01', '09:00']]))).toEqual(['held', 'suppressed']);
  });

  it('treats a second A11 as stale', () => {
    expect(outcomes(run([['A01', '09:00'], ['A11', '09:30'], ['A11', '09:31']]))).toEqual(['applied', 'retracted', 'stale']);
  });

  it('retracts the last transfer on A12 and keeps the patient admitted', () => {
    const cancel = last(run([['A01', '09:00'], ['A02', '10:00'], ['A12', '10:10']]));

    expect(cancel.outcome).toBe('retracted');
    expect(cancel.publish?.retractsEventId).toBe('A02@10:00');
    expect(cancel.record).toMatchObject({ state: 'admitted', transferEventId: null });
  });

  it('holds an A12 that arrives before its A02 and suppresses that A02', () => {
    expect(outcomes(run([['A01', '09:00'], ['A12', '10:10'], ['A02', '10:00']]))).toEqual(['applied', 'held', 'suppressed']);
  });

  it('changes the patient class on A06 and A07', () => {
    const transitions = run([
      ['A04', '08:00'],
      ['A06', '09:00'],
      ['A07', '12:00'],
    ]);

    expect(transitions.map((transition) => transition.record.state)).toEqual(['registered', 'admitted', 'registered']);
  });

  it('does not preadmit an encounter that is already admitted', () => {
    expect(outcomes(run([['A01', '09:00'], ['A05', '10:00']]))).toEqual(['applied', 'stale']);
  });

  it('discharges on an A03 dated before the last transfer (A02 after A03 in clinical time), with a warning', () => {
    const discharge = last(run([['A01', '09:00'], ['A02', '15:00'], ['A03', '14:25']]));

    expect(discharge.outcome).toBe('applied');
    expect(discharge.publish).toEqual({ retractsEventId: null, amendsEventId: null });
    expect(discharge.record).toMatchObject({ state: 'discharged', stateBeforeDischarge: 'admitted', dischargedAt: at('14:25'), dischargeEventId: 'A03@14:25' });
    expect(discharge.warnings).toEqual(['discharge-before-last-event']);
  });

  it('keeps the discharge when a transfer dated after it arrives later (A02 after A03 in arrival and clinical time)', () => {
    const transitions = run([['A01', '09:00'], ['A03', '14:25'], ['A02', '15:00']]);

    expect(outcomes(transitions)).toEqual(['applied', 'applied', 'stale']);
    expect(last(transitions).record.state).toBe('discharged');
  });

  it('publishes a second A03 as an amendment, with no warning', () => {
    const second = last(run([['A01', '09:00'], ['A03', '14:25'], ['A03', '14:25']]));

    expect(second.outcome).toBe('amended');
    expect(second.publish).toEqual({ retractsEventId: null, amendsEventId: 'A03@14:25' });
    expect(second.warnings ?? []).toEqual([]);
  });

  it('discharges an encounter whose admission was cancelled (A03 after A11), with a warning', () => {
    const discharge = last(run([['A01', '09:00'], ['A11', '10:00'], ['A03', '14:25']]));

    expect(discharge.outcome).toBe('applied');
    expect(discharge.publish).not.toBeNull();
    expect(discharge.record).toMatchObject({ state: 'discharged', stateBeforeDischarge: 'cancelled' });
    expect(discharge.warnings).toEqual(['discharge-after-cancelled-admission']);
  });

  it('leaves the discharge standing when its A01 arrives after it (nothing published for the A01)', () => {
    const transitions = run([['A03', '14:25'], ['A01', '09:00']]);

    expect(outcomes(transitions)).toEqual(['applied', 'stale']);
    expect(last(transitions).record).toMatchObject({ state: 'discharged', dischargeEventId: 'A03@14:25', admittedAt: at('09:00') });
  });

  it('discharges an encounter whose admission it never saw', () => {
    const discharge = last(run([['A03', '14:25']]));

    expect(discharge.outcome).toBe('applied');
    expect(discharge.record.state).toBe('discharged');
  });

  it('never publishes for held, suppressed or stale outcomes, and always does otherwise', () => {
    const transitions = run([
      ['A13', '08:00'],
      ['A01', '09:00'],
      ['A01', '09:30'],
      ['A08', '10:00'],
      ['A08', '09:00'],
      ['A03', '08:30'],
      ['A03', '11:00'],
      ['A13', '12:00'],
    ]);

    for (const transition of transitions) {
      expect(transition.publish === null).toBe(['held', 'suppressed', 'stale'].includes(transition.outcome));
    }
  });
});
