import type { EncounterEventData } from '@sc/contracts';
import { planForDischarge, taskClock } from './discharge-plan';

function discharge(overrides: { disposition?: string | null; deceased?: boolean } = {}): EncounterEventData {
  return {
    trigger: 'A03',
    sendingFacility: 'LGH',
    messageControlId: 'C1',
    patient: {
      identifiers: [{ value: '1', authority: 'LGH', type: 'MR' }],
      familyName: null,
      givenName: null,
      birthDate: null,
      sex: null,
      primaryLanguage: null,
      deceased: overrides.deceased ?? false,
      deathAt: null,
    },
    visit: {
      facility: 'LGH',
      visitNumber: 'V1',
      patientClass: 'I',
      location: { pointOfCare: null, room: null, bed: null, facility: null },
      attending: null,
      admittedAt: null,
      dischargedAt: '2026-11-20T20:25:00.000Z',
      dischargeDisposition: overrides.disposition === undefined ? '01' : overrides.disposition,
      dischargedToLocation: null,
    },
    diagnoses: [],
    coverage: [],
  };
}

describe('planForDischarge', () => {
  it('plans a home call for a discharge home', () => {
    expect(planForDischarge(discharge())).toEqual({ action: 'task', kind: 'discharge-call' });
  });

  it('plans facility coordination for a discharge to a skilled nursing facility (03)', () => {
    expect(planForDischarge(discharge({ disposition: '03' }))).toEqual({ action: 'task', kind: 'coordinate-with-facility' });
  });

  it('plans no outreach when the patient expired (20) or the death indicator is set', () => {
    expect(planForDischarge(discharge({ disposition: '20' }))).toEqual({ action: 'no-outreach', reason: 'expired' });
    expect(planForDischarge(discharge({ disposition: null, deceased: true }))).toEqual({ action: 'no-outreach', reason: 'expired' });
  });
});

describe('taskClock', () => {
  const dischargedAt = new Date('2026-11-20T20:25:00.000Z');

  it('is due 24 hours after the clinical discharge time', () => {
    const clock = taskClock(dischargedAt, new Date('2026-11-20T20:26:00.000Z'), 24, false);
    expect(clock.dueAt.toISOString()).toBe('2026-11-21T20:25:00.000Z');
    expect(clock).toMatchObject({ overdueOnArrival: false, priority: 'routine' });
  });

  it('raises specialty-therapy patients to high priority', () => {
    expect(taskClock(dischargedAt, dischargedAt, 24, true).priority).toBe('high');
  });

  it('creates a discharge that arrives 30 hours late overdue and urgent', () => {
    const clock = taskClock(dischargedAt, new Date('2026-11-22T02:25:00.000Z'), 24, true);
    expect(clock).toMatchObject({ overdueOnArrival: true, priority: 'urgent' });
  });
});
