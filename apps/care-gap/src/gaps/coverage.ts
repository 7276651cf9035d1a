import type { CareGapCoverage, CareGapExplanation, PlanBenefit } from '@sc/contracts';

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

/**
 * Field by field: a coverage read back from a jsonb column has its keys in PostgreSQL's order, so
 * comparing serialised text would call every stored coverage changed.
 */
export function sameCoverage(a: CareGapCoverage, b: CareGapCoverage): boolean {
  return (
    a.determination === b.determination &&
    a.benefitRule === b.benefitRule &&
    a.planId === b.planId &&
    a.priorAuthorizationRequired === b.priorAuthorizationRequired &&
    a.quantityLimit?.quantity === b.quantityLimit?.quantity &&
    a.quantityLimit?.periodDays === b.quantityLimit?.periodDays
  );
}

/** Field by field, for the same reason as {@link sameCoverage}. */
export function sameExplanation(a: CareGapExplanation, b: CareGapExplanation): boolean {
  return (
    a.ruleId === b.ruleId &&
    a.ruleVersion === b.ruleVersion &&
    a.evidence === b.evidence &&
    a.trigger === b.trigger &&
    a.matchedCodes.length === b.matchedCodes.length &&
    a.matchedCodes.every((code, index) => code === b.matchedCodes[index])
  );
}
