import { missReason, missedMeasures, percentile, qualityReport, qualityReportCsv, type DischargeFacts } from './quality-report';

const discharge = (overrides: Partial<DischargeFacts> = {}): DischargeFacts => ({
  episodeKey: 'enc:LGH:V-1',
  patientId: '00000000-0000-4000-8000-000000000001',
  taskId: '00000000-0000-4000-8000-0000000000aa',
  kind: 'discharge-call',
  dischargedAt: new Date('2026-11-02T16:00:00Z'),
  expired: false,
  status: 'completed',
  taskOutcome: 'reconciled',
  firstContactAt: null,
  declined: false,
  unsuccessfulAttempts: 0,
  contactDueAt: new Date('2026-11-05T06:00:00Z'),
  reconciliationDueAt: new Date('2026-12-03T06:00:00Z'),
  reconciledAt: null,
  ...overrides,
});

const later = new Date('2027-01-15T00:00:00Z');

describe(percentile.name, () => {
  it('takes the nearest rank, and nothing of no values', () => {
    expect(percentile([6900, 240, 4980, 930, 5640], 0.5)).toBe(4980);
    expect(percentile([6900, 240, 4980, 930, 5640], 0.9)).toBe(6900);
    expect(percentile([10, 20], 0.5)).toBe(10);
    expect(percentile([], 0.9)).toBeNull();
  });
});

describe(missedMeasures.name, () => {
  it('misses a measure only once its window has closed unmet', () => {
    const waiting = discharge();
    expect(missedMeasures(waiting, new Date('2026-11-04T00:00:00Z'))).toEqual([]);
    expect(missedMeasures(waiting, later)).toEqual(['contacted-within-2-business-days', 'reconciled-within-30-days']);
  });

  it('counts a contact or reconciliation at the deadline as missed: deadlines are exclusive', () => {
    const atDeadline = discharge({ firstContactAt: new Date('2026-11-05T06:00:00Z'), reconciledAt: new Date('2026-11-04T00:00:00Z') });
    expect(missedMeasures(atDeadline, later)).toEqual(['contacted-within-2-business-days']);
  });

  it('misses both measures of a discharge whose patient died, which has no task', () => {
    const expired = discharge({ taskId: null, kind: null, status: null, expired: true, contactDueAt: null, reconciliationDueAt: null });
    expect(missedMeasures(expired, later)).toEqual(['contacted-within-2-business-days', 'reconciled-within-30-days']);
  });
});

describe(missReason.name, () => {
  const both = ['contacted-within-2-business-days', 'reconciled-within-30-days'] as const;

  it('names death first, then a move to a facility, a cancelled discharge and a refusal', () => {
    expect(missReason(discharge({ expired: true, kind: 'coordinate-with-facility' }), both)).toBe('expired');
    expect(missReason(discharge({ kind: 'coordinate-with-facility', declined: true }), both)).toBe('moved-to-facility');
    expect(missReason(discharge({ status: 'cancelled', declined: true }), both)).toBe('discharge-cancelled');
    expect(missReason(discharge({ declined: true }), both)).toBe('declined');
    expect(missReason(discharge({ taskOutcome: 'patient-declined' }), both)).toBe('declined');
  });

  it('tells a late contact from an unreachable patient, one who may not be called, and one nobody called', () => {
    expect(missReason(discharge({ firstContactAt: new Date('2026-11-06T00:00:00Z'), unsuccessfulAttempts: 2 }), both)).toBe('contacted-late');
    expect(missReason(discharge({ unsuccessfulAttempts: 1 }), both)).toBe('unreachable');
    expect(missReason(discharge({ taskOutcome: 'unreachable' }), both)).toBe('unreachable');
    expect(missReason(discharge({ kind: 'chart-review', taskOutcome: 'not-needed' }), both)).toBe('no-phone-consent');
    expect(missReason(discharge({ taskOutcome: 'not-needed' }), both)).toBe('not-contacted');
  });

  it('says a patient reached in time but never reconciled was not reconciled', () => {
    expect(missReason(discharge({ firstContactAt: new Date('2026-11-03T00:00:00Z') }), ['reconciled-within-30-days'])).toBe('not-reconciled');
  });
});

describe(qualityReport.name, () => {
  it('computes the shares over every discharge received, and the contact times over those contacted', () => {
    const report = qualityReport(
      [
        discharge({ firstContactAt: new Date('2026-11-02T20:00:00Z'), reconciledAt: new Date('2026-11-03T00:00:00Z') }),
        discharge({ episodeKey: 'enc:LGH:V-2', firstContactAt: new Date('2026-11-04T16:00:00Z') }),
        discharge({ episodeKey: 'enc:LGH:V-3', unsuccessfulAttempts: 2, taskOutcome: 'unreachable' }),
      ],
      later,
    );
    expect(report).toMatchObject({
      dischargesReceived: 3,
      contacted: 2,
      medianMinutesToFirstContact: 240,
      p90MinutesToFirstContact: 2880,
      contactedWithin24Hours: { count: 1, share: 0.3333 },
      contactedWithin2BusinessDays: { count: 2, share: 0.6667 },
      reconciledWithin30Days: { count: 1, share: 0.3333 },
    });
    expect(report.misses.map((miss) => [miss.episodeKey, miss.reason])).toEqual([
      ['enc:LGH:V-2', 'not-reconciled'],
      ['enc:LGH:V-3', 'unreachable'],
    ]);
  });

  it('reports no shares and no times for a period without discharges', () => {
    expect(qualityReport([], later)).toMatchObject({ dischargesReceived: 0, medianMinutesToFirstContact: null, contactedWithin24Hours: { count: 0, share: null } });
  });
});

describe(qualityReportCsv.name, () => {
  it('writes one row per discharge, patient id first, quoting a field with a comma', () => {
    const csv = qualityReportCsv([discharge({ episodeKey: 'enc:LGH:V,1', firstContactAt: new Date('2026-11-02T20:00:00Z') })], later);
    expect(csv.split('\r\n')).toEqual([
      'patient_id,episode,task_id,discharged_at,first_contact_at,minutes_to_first_contact,contacted_within_24_hours,contacted_within_2_business_days,reconciled_within_30_days,missed,reason',
      '00000000-0000-4000-8000-000000000001,"enc:LGH:V,1",00000000-0000-4000-8000-0000000000aa,2026-11-02T16:00:00.000Z,2026-11-02T20:00:00.000Z,240,true,true,false,reconciled-within-30-days,not-reconciled',
      '',
    ]);
  });
});
