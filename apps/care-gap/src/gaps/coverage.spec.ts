import type { CareGapCoverage, CareGapExplanation } from '@sc/contracts';
import { determineCoverage, sameCoverage, sameExplanation } from './coverage';

describe(determineCoverage.name, () => {
  const benefit = { itemSystem: 'HCPCS' as const, itemCode: 'A4670', quantityLimit: { quantity: 1, periodDays: 1825 }, benefitRuleId: 'GOLD/DME-A4670' };

  it('cites the benefit rule that decided coverage, with its quantity limit', () => {
    expect(determineCoverage('GOLD', { ...benefit, coverage: 'covered' })).toEqual({
      determination: 'covered',
      benefitRule: 'GOLD/DME-A4670',
      planId: 'GOLD',
      priorAuthorizationRequired: false,
      quantityLimit: { quantity: 1, periodDays: 1825 },
    });
  });

  it('flags prior authorization', () => {
    expect(determineCoverage('GOLD', { ...benefit, coverage: 'prior-authorization' })).toMatchObject({ determination: 'prior-authorization', priorAuthorizationRequired: true });
  });

  it('is unknown without a plan or without a benefit row for the item', () => {
    expect(determineCoverage(null, null)).toMatchObject({ determination: 'unknown', benefitRule: null, planId: null });
    expect(determineCoverage('GOLD', null)).toMatchObject({ determination: 'unknown', benefitRule: null, planId: 'GOLD' });
  });
});

describe('comparing a stored gap with a fresh assessment', () => {
  // Objects as they come back from jsonb: PostgreSQL orders keys by length, then bytes.
  const storedCoverage = JSON.parse('{"planId": "GOLD", "benefitRule": "GOLD/DME-A4670", "determination": "covered", "quantityLimit": {"quantity": 1, "periodDays": 1825}, "priorAuthorizationRequired": false}') as CareGapCoverage;
  const storedExplanation = JSON.parse('{"ruleId": "hf-scale", "trigger": "conditions", "evidence": "suspected", "ruleVersion": 2, "matchedCodes": ["I50.9"]}') as CareGapExplanation;
  const freshExplanation: CareGapExplanation = { ruleId: 'hf-scale', ruleVersion: 2, matchedCodes: ['I50.9'], evidence: 'suspected', trigger: 'conditions' };

  it('finds a stored coverage and explanation unchanged whatever the order of their keys', () => {
    const fresh = determineCoverage('GOLD', { itemSystem: 'HCPCS', itemCode: 'A4670', coverage: 'covered', quantityLimit: { quantity: 1, periodDays: 1825 }, benefitRuleId: 'GOLD/DME-A4670' });
    expect(sameCoverage(fresh, storedCoverage)).toBe(true);
    expect(sameExplanation(freshExplanation, storedExplanation)).toBe(true);
  });

  it('notices each field that changed', () => {
    expect(sameCoverage({ ...storedCoverage, determination: 'not-covered' }, storedCoverage)).toBe(false);
    expect(sameCoverage({ ...storedCoverage, quantityLimit: null }, storedCoverage)).toBe(false);
    expect(sameExplanation({ ...freshExplanation, ruleVersion: 3 }, storedExplanation)).toBe(false);
    expect(sameExplanation({ ...freshExplanation, matchedCodes: ['I50.9', 'I11.0'] }, storedExplanation)).toBe(false);
    expect(sameExplanation({ ...freshExplanation, evidence: 'confirmed' }, storedExplanation)).toBe(false);
  });
});
