import type { EncounterEventData } from '@sc/contracts';
import { dischargeDestination, icd10Diagnoses, planOf } from './discharge-destination';

const encounter = (disposition: string | null, overrides: { deceased?: boolean; diagnoses?: EncounterEventData['diagnoses']; coverage?: EncounterEventData['coverage'] } = {}) =>
  ({
    patient: { deceased: overrides.deceased ?? false },
    visit: { dischargeDisposition: disposition },
    diagnoses: overrides.diagnoses ?? [],
    coverage: overrides.coverage ?? [],
  }) as unknown as EncounterEventData;

describe(dischargeDestination.name, () => {
  it.each(['20', '40', '41', '42'])('treats disposition %s as expired', (code) => {
    expect(dischargeDestination(encounter(code))).toEqual({ deceased: true, atFacility: false });
  });

  it('treats the death indicator as expired whatever the disposition', () => {
    expect(dischargeDestination(encounter('01', { deceased: true })).deceased).toBe(true);
  });

  it.each(['02', '03', '04', '05', '43', '51', '61', '62', '63', '64', '65', '66', '70'])('treats disposition %s as a facility', (code) => {
    expect(dischargeDestination(encounter(code))).toEqual({ deceased: false, atFacility: true });
  });

  it.each(['01', '06', '50', null])('treats disposition %s as home', (code) => {
    expect(dischargeDestination(encounter(code))).toEqual({ deceased: false, atFacility: false });
  });
});

describe(icd10Diagnoses.name, () => {
  it('keeps ICD-10 codes and drops ICD-9 ones', () => {
    const diagnoses = [
      { code: 'I50.22', codingSystem: 'I10', type: 'F' },
      { code: '428.0', codingSystem: 'I9', type: 'F' },
      { code: 'E849', codingSystem: 'I9C', type: 'F' },
      { code: 'e11.9', codingSystem: null, type: 'F' },
    ];
    expect(icd10Diagnoses(encounter('01', { diagnoses }))).toEqual(['I50.22', 'E11.9']);
  });
});

describe(planOf.name, () => {
  it('takes the first coverage with a plan', () => {
    expect(planOf(encounter('01', { coverage: [{ planId: null, memberId: 'x' }, { planId: 'GOLD', memberId: 'M1' }] }))).toBe('GOLD');
    expect(planOf(encounter('01'))).toBeNull();
  });
});
