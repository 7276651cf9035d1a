import { determineCoverage } from './coverage';

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
