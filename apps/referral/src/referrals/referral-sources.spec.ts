import type { CareGapData, EncounterEventData, PharmacyNeedFlaggedData } from '@sc/contracts';
import { referralFromCareGap, referralFromNeed, referralsFromDischarge, reportsDeath } from './referral-sources';

function gap(extra: Partial<CareGapData> = {}): CareGapData {
  return {
    gapId: 'gap-1',
    gapType: 'home-bp-monitor',
    ruleId: 'bp-monitor-cardiovascular',
    ruleVersion: 1,
    severity: 'moderate',
    item: { system: 'HCPCS', code: 'A4670' },
    recommendedAction: 'Order a validated monitor',
    coverage: { determination: 'covered', benefitRule: 'NSHP-GOLD/DME-A4670', planId: 'NSHP-GOLD', priorAuthorizationRequired: false, quantityLimit: null },
    status: 'coverage-verified',
    teamId: null,
    explanation: { ruleId: 'bp-monitor-cardiovascular', ruleVersion: 1, matchedCodes: [], evidence: 'confirmed', trigger: 'conditions' },
    actorId: 'system',
    ...extra,
  };
}

function flag(need: PharmacyNeedFlaggedData['need'], code: string | null = null, codeSystem: PharmacyNeedFlaggedData['codeSystem'] = null): PharmacyNeedFlaggedData {
  return { taskId: 't-1', patientId: 'p-1', kind: 'discharge-call', actorId: 'pharm-ana', flagId: `flag-${need}`, need, code, codeSystem };
}

function discharge(disposition: string | null, deceased = false): EncounterEventData {
  return {
    trigger: 'A03',
    sendingFacility: 'LGH',
    messageControlId: 'M1',
    patient: { identifiers: [], familyName: null, givenName: null, birthDate: null, sex: null, primaryLanguage: null, deceased, deathAt: null },
    visit: {
      facility: 'LGH',
      visitNumber: 'V1',
      patientClass: 'I',
      location: { pointOfCare: null, room: null, bed: null, facility: null },
      attending: null,
      admittedAt: null,
      dischargedAt: '2026-11-18T10:00:00.000Z',
      dischargeDisposition: disposition,
      dischargedToLocation: null,
    },
    diagnoses: [],
    coverage: [],
  };
}

describe('referralFromCareGap', () => {
  it('orders equipment for a device gap whose coverage is confirmed, keyed on the gap', () => {
    expect(referralFromCareGap(gap())).toEqual({
      type: 'dme-order',
      sourceKind: 'care-gap',
      sourceId: 'gap-1',
      sourceKey: 'care-gap:gap-1',
      item: { system: 'HCPCS', code: 'A4670' },
      severity: 'moderate',
      teamId: null,
    });
    expect(referralFromCareGap(gap({ status: 'open' }))?.type).toBe('dme-order');
  });

  it('keeps the nurse team care-gap chose for the gap', () => {
    expect(referralFromCareGap(gap({ teamId: 'care-management-nurses' }))?.teamId).toBe('care-management-nurses');
    expect(referralFromCareGap(gap({ teamId: 'not a team id' }))?.teamId).toBeNull();
  });

  it('creates nothing for a device not covered, awaiting prior authorization, or already ordered elsewhere', () => {
    const notCovered = gap({ status: 'open', coverage: { ...gap().coverage, determination: 'not-covered' } });
    const priorAuth = gap({ status: 'open', coverage: { ...gap().coverage, determination: 'prior-authorization' } });
    expect(referralFromCareGap(notCovered)).toBeNull();
    expect(referralFromCareGap(priorAuth)).toBeNull();
    expect(referralFromCareGap(gap({ status: 'ordered' }))).toBeNull();
    expect(referralFromCareGap(gap({ status: 'dismissed' }))).toBeNull();
  });

  it('creates a postpartum follow-up for a postpartum gap whatever its coverage', () => {
    const postpartum = gap({ gapType: 'postpartum-bp-check', item: { system: 'TASK', code: 'postpartum-visit' }, coverage: { ...gap().coverage, determination: 'unknown' }, status: 'open' });
    expect(referralFromCareGap(postpartum)).toMatchObject({ type: 'postpartum-follow-up', sourceKey: 'care-gap:gap-1' });
  });
});

describe('referralFromNeed', () => {
  it.each([
    ['diet-or-wellness', 'wellness-program'],
    ['specialist-symptoms', 'specialist-briefing'],
    ['in-home-care', 'in-home-nursing'],
    ['social-needs', 'social-needs'],
  ] as const)('turns a %s flag into a %s referral keyed on the flag', (need, type) => {
    expect(referralFromNeed(flag(need))).toMatchObject({ type, sourceKind: 'need-flag', sourceKey: `need-flag:flag-${need}` });
  });

  it('keeps the symptom code for the specialist briefing', () => {
    expect(referralFromNeed(flag('specialist-symptoms', 'M06.9', 'ICD10'))?.item).toEqual({ system: 'ICD10', code: 'M06.9' });
  });

  it('leaves a missing device to care-gap, which checks coverage first', () => {
    expect(referralFromNeed(flag('missing-home-device', 'A4670', 'HCPCS'))).toBeNull();
  });
});

describe('referralsFromDischarge', () => {
  const at = new Date('2026-11-18T10:00:00Z');

  it('sends a discharge to home health (06) to in-home nursing, keyed on the episode and the discharge time', () => {
    expect(referralsFromDischarge('enc:LGH:V1', at, discharge('06'))).toEqual([
      {
        type: 'in-home-nursing',
        sourceKind: 'discharge-rule',
        sourceId: 'enc:LGH:V1',
        sourceKey: 'discharge-rule:enc:LGH:V1:2026-11-18T10:00:00.000Z:home-health',
        item: null,
        severity: null,
        teamId: null,
      },
    ]);
  });

  it('asks nothing of a discharge home without services, or of a death', () => {
    expect(referralsFromDischarge('enc:LGH:V1', at, discharge('01'))).toEqual([]);
    expect(referralsFromDischarge('enc:LGH:V1', at, discharge('06', true))).toEqual([]);
    expect(reportsDeath(discharge('20'))).toBe(true);
    expect(reportsDeath(discharge('01'))).toBe(false);
  });
});
