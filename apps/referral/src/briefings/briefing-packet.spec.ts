import type { EpisodeFacts } from '../facts/clinical-facts.repository';
import { assembleBriefing, isSensitiveDiagnosis } from './briefing-packet';

function episode(id: string, dischargedAt: string, diagnoses: Array<[string, string]>, extra: Partial<EpisodeFacts> = {}): EpisodeFacts {
  return {
    correlationId: id,
    subject: 'pt-1',
    facility: 'LGH',
    patientClass: 'I',
    admittedAt: null,
    dischargedAt: new Date(dischargedAt),
    disposition: '01',
    diagnoses: diagnoses.map(([code, type]) => ({ code, codingSystem: 'I10', type })),
    dischargeCancelledAt: null,
    admissionCancelledAt: null,
    ...extra,
  };
}

describe('assembleBriefing', () => {
  const now = new Date('2026-11-20T09:00:00Z');
  const reconciliation = {
    taskId: 't-1',
    correlationId: 'enc:LGH:V2',
    homeMedications: [{ system: 'RXNORM' as const, code: '327361' }],
    startedInHospital: [{ system: 'RXNORM' as const, code: '197361' }],
    stopped: [],
    changed: [],
    discrepancies: [{ medication: { system: 'RXNORM' as const, code: '197361' }, kind: 'interaction' as const }],
    reconciledAt: new Date('2026-11-19T15:00:00Z'),
  };

  it('brings the reconciliation, the conditions coded at discharge (once each, latest first) and the recent encounters', () => {
    const packet = assembleBriefing({
      referralId: 'r-1',
      reasonForBriefing: { system: 'ICD10', code: 'M06.9' },
      reconciliation,
      episodes: [
        episode('enc:LGH:V2', '2026-11-18T10:00:00Z', [['I25.10', 'F'], ['M06.9', 'F']]),
        episode('enc:LGH:V1', '2026-06-01T10:00:00Z', [['I25.10', 'F'], ['E11.9', 'W']], { dischargeCancelledAt: new Date('2026-06-01T12:00:00Z') }),
      ],
      followUps: [{ taskId: 't-1', correlationId: 'enc:LGH:V2', outcome: 'reconciled', completedAt: new Date('2026-11-19T16:00:00Z'), withinWindow: true }],
      now,
    });
    expect(packet.reasonForBriefing).toEqual({ system: 'ICD10', code: 'M06.9' });
    expect(packet.medications).toMatchObject({ reconciledAt: '2026-11-19T15:00:00.000Z', homeMedications: [{ code: '327361' }], discrepancies: [{ kind: 'interaction' }] });
    expect(packet.conditions).toEqual([
      { code: 'I25.10', codingSystem: 'I10', lastSeenAt: '2026-11-18T10:00:00.000Z', episodes: 2 },
      { code: 'M06.9', codingSystem: 'I10', lastSeenAt: '2026-11-18T10:00:00.000Z', episodes: 1 },
      { code: 'E11.9', codingSystem: 'I10', lastSeenAt: '2026-06-01T10:00:00.000Z', episodes: 1 },
    ]);
    expect(packet.recentEncounters.map((encounter) => [encounter.episodeId, encounter.dischargeCancelled])).toEqual([
      ['enc:LGH:V2', false],
      ['enc:LGH:V1', true],
    ]);
    expect(packet.pharmacistFollowUps).toEqual([{ outcome: 'reconciled', completedAt: '2026-11-19T16:00:00.000Z', withinWindow: true }]);
    expect(packet.withheldConditions).toBe(0);
  });

  it('withholds diagnoses that need consent to share (mental health, substance use, HIV) and counts them', () => {
    const packet = assembleBriefing({
      referralId: 'r-1',
      reasonForBriefing: null,
      reconciliation: undefined,
      episodes: [episode('enc:LGH:V3', '2026-11-18T10:00:00Z', [['F32.9', 'F'], ['F10.20', 'F'], ['B20', 'F'], ['Z21', 'W'], ['I10', 'F'], ['F32.9', 'A']])],
      followUps: [],
      now,
    });
    expect(packet.conditions.map((condition) => condition.code)).toEqual(['I10']);
    expect(packet.withheldConditions).toBe(4);
    expect(packet.medications).toBeNull();
  });

  it('knows the consent-only categories', () => {
    expect(['F32.9', 'f1020', 'B20', 'Z21', 'O03.9', 'Z71.41'].every(isSensitiveDiagnosis)).toBe(true);
    expect(['I10', 'M06.9', 'E11.9', 'O80', 'Z79.4'].some(isSensitiveDiagnosis)).toBe(false);
  });
});
