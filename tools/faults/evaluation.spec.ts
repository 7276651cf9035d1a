import { formatTable, judgeDischarges, recoveryMs, repeated, rosterKey, type DischargeRecord, type Probe } from './evaluation';

const probe = (index: number, sentAt: number, completedAt?: number): Probe => ({
  index,
  pharmacyPatientId: `SP-${index}`,
  mrn: `M${index}`,
  sentAt,
  ack: 'AA',
  progress: {},
  completedAt,
});

const discharge = (eventId: string, mrn: string, extra: Partial<DischargeRecord> = {}): DischargeRecord => ({
  eventId,
  correlationId: `enc:LGH:V-${eventId}`,
  identifiers: [{ value: mrn, authority: 'LGH' }],
  disposition: '01',
  deceased: false,
  ...extra,
});

describe(recoveryMs.name, () => {
  it('measures from the fault to the earliest completion of a discharge sent after it', () => {
    const probes = [probe(1, 900, 1_100), probe(2, 1_000, 9_000), probe(3, 1_250, 8_500), probe(4, 1_500)];
    expect(recoveryMs(probes, 1_000)).toBe(7_500);
  });

  it('ignores discharges sent before the fault took hold (a broker still stopping lets them through)', () => {
    const probes = [probe(1, 1_100, 1_200), probe(2, 4_000, 12_000)];
    expect(recoveryMs(probes, 1_000, 3_500)).toBe(11_000);
  });

  it('has no value while no discharge sent after the fault has come through', () => {
    expect(recoveryMs([probe(1, 900, 1_100), probe(2, 1_200)], 1_000)).toBeUndefined();
  });
});

describe(judgeDischarges.name, () => {
  const rostered = new Set([rosterKey('LGH', 'R1'), rosterKey('LGH', 'R2'), rosterKey('LGH', 'R3')]);

  it('expects a task for every processed discharge of a rostered, living patient', () => {
    const verdict = judgeDischarges(
      [discharge('a', 'R1'), discharge('b', 'R2'), discharge('c', 'U9'), discharge('d', 'R3', { disposition: '20' }), discharge('e', 'R3', { deceased: true })],
      rostered,
      new Set(['a', 'b', 'c', 'd', 'e']),
      new Set(['enc:LGH:V-a']),
    );
    expect(verdict.expected).toBe(2);
    expect(verdict.missing.map((record) => record.eventId)).toEqual(['b']);
    expect(verdict.unprocessed).toEqual([]);
  });

  it('holds a discharge pharmacy-alert has not handled yet apart from a missing task', () => {
    const verdict = judgeDischarges([discharge('a', 'R1')], rostered, new Set(), new Set());
    expect(verdict.unprocessed.map((record) => record.eventId)).toEqual(['a']);
    expect(verdict.missing).toEqual([]);
  });

  it('matches a rostered patient by the identifier authority as well as the value', () => {
    const verdict = judgeDischarges([discharge('a', 'R1', { identifiers: [{ value: 'R1', authority: 'NSH' }] })], rostered, new Set(['a']), new Set());
    expect(verdict.expected).toBe(0);
  });
});

describe(repeated.name, () => {
  it('returns only the values seen more than once', () => {
    expect(repeated(['a', 'b', 'a', 'c', 'a', 'b'])).toEqual({ a: 3, b: 2 });
    expect(repeated(['a', 'b'])).toEqual({});
  });
});

describe(formatTable.name, () => {
  it('aligns columns under their headers', () => {
    const table = formatTable([{ name: 'notifier', seconds: 31.2 }], [
      { header: 'step', value: (row) => row.name },
      { header: 'recovery s', value: (row) => row.seconds.toFixed(1) },
    ]);
    expect(table.split('\n')).toEqual(['step      recovery s', '--------  ----------', 'notifier  31.2']);
  });
});
