import type { CareGapCoverage, PlanBenefit } from '@sc/contracts';

/** Coverage of a gap's item under the patient's plan, citing the benefit rule that decided it. */
export function determineCoverage(planId: string | null, benefit: PlanBenefit | null): CareGapCoverage {
  if (planId === null || benefit === null) {
    return { determination: 'unknown', benefitRule: null, planId, priorAuthorizationRequired: false, quantityLimit: null };
  }
  return {
    determination: benefit.coverage,
    benefitRule: benefit.benefitRuleId,
    planId,
    priorAuthorizationRequired: benefit.coverage === 'prior-authorization',
    quantityLimit: benefit.quantityLimit,
  };
}

export function sameCoverage(a: CareGapCoverage, b: CareGapCoverage): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
