import type { CareGapItem } from '@sc/contracts';
import type { CareGapRule } from '../rules/rule-validation';
import { inCodeSet } from '../rules/code-sets';
import { codeUsable, type SensitiveCategory } from './sensitive-categories';

export interface DeviceState {
  present: boolean;
  /** A pharmacist said the patient lacks it: the gap is confirmed even without a matching condition. */
  flaggedByPharmacist: boolean;
}

/** What the rules read about one patient. */
export interface PatientContext {
  deceased: boolean;
  atFacility: boolean;
  /** Active condition codes as received. */
  conditions: readonly string[];
  /** By item key (`HCPCS:A4670`); an item with no entry is of unknown status. */
  devices: ReadonlyMap<string, DeviceState>;
  consents: ReadonlySet<SensitiveCategory>;
}

export type RuleOutcome =
  | { kind: 'not-indicated' }
  | { kind: 'sensitive-without-consent' }
  | { kind: 'patient-expired' | 'at-facility' | 'item-present'; matchedCodes: string[] }
  | { kind: 'indicated'; matchedCodes: string[]; evidence: 'suspected' | 'confirmed'; trigger: 'conditions' | 'pharmacist-flag' };

export const itemKey = (item: Pick<CareGapItem, 'system' | 'code'>): string => `${item.system}:${item.code}`;

/** What one condition rule says about one patient; event-triggered rules are never indicated here. */
export function evaluateRule(rule: CareGapRule, patient: PatientContext): RuleOutcome {
  if (!rule.enabled || rule.trigger !== 'conditions' || !rule.conditions) {
    return { kind: 'not-indicated' };
  }
  const codeSet = rule.conditions;
  const matching = patient.conditions.filter((code) => inCodeSet(code, codeSet));
  const usable = matching.filter((code) => codeUsable(code, patient.consents));
  const device = patient.devices.get(itemKey(rule.item));
  const flagged = device?.flaggedByPharmacist === true && !device.present;
  if (usable.length === 0 && !flagged) {
    return matching.length > 0 ? { kind: 'sensitive-without-consent' } : { kind: 'not-indicated' };
  }
  if (patient.deceased) {
    return { kind: 'patient-expired', matchedCodes: usable };
  }
  if (rule.homeItem && patient.atFacility) {
    return { kind: 'at-facility', matchedCodes: usable };
  }
  if (device?.present) {
    return { kind: 'item-present', matchedCodes: usable };
  }
  return {
    kind: 'indicated',
    matchedCodes: usable,
    evidence: device !== undefined ? 'confirmed' : 'suspected',
    trigger: usable.length > 0 ? 'conditions' : 'pharmacist-flag',
  };
}

export interface PlannedGap {
  rule: CareGapRule;
  matchedCodes: string[];
  evidence: 'suspected' | 'confirmed';
  trigger: 'conditions' | 'pharmacist-flag';
}

const SEVERITY_RANK = { high: 3, moderate: 2, low: 1 } as const;

/**
 * The condition gaps the patient should have, one per gap type. A rule that matched a condition
 * beats one indicated by a pharmacist's flag alone; among those, the most severe decides. A flag
 * alone says nothing about which condition is behind it, so it is explained by the least severe rule.
 */
export function planGaps(rules: readonly CareGapRule[], patient: PatientContext): Map<string, PlannedGap> {
  const indicated: PlannedGap[] = [];
  for (const rule of rules) {
    const outcome = evaluateRule(rule, patient);
    if (outcome.kind === 'indicated') {
      indicated.push({ rule, matchedCodes: outcome.matchedCodes, evidence: outcome.evidence, trigger: outcome.trigger });
    }
  }
  const rank = (gap: PlannedGap): number =>
    gap.trigger === 'conditions' ? 10 + SEVERITY_RANK[gap.rule.severity] : 10 - SEVERITY_RANK[gap.rule.severity];
  indicated.sort((a, b) => rank(b) - rank(a) || a.rule.id.localeCompare(b.rule.id));
  const planned = new Map<string, PlannedGap>();
  for (const gap of indicated) {
    const existing = planned.get(gap.rule.gapType);
    if (!existing) {
      planned.set(gap.rule.gapType, { ...gap });
    } else if (gap.evidence === 'confirmed') {
      existing.evidence = 'confirmed';
    }
  }
  return planned;
}

/** An open gap as the planner needs to see it. */
export interface OpenGapFacts {
  status: string;
  homeItem: boolean;
  ruleTrigger: string;
  item: Pick<CareGapItem, 'system' | 'code'>;
}

/**
 * Why an open gap that the rules no longer plan should close, or null to leave it to the nurses.
 * Death closes everything; a facility or the item at home closes home-item gaps in any state;
 * a gap nobody has worked yet closes when nothing indicates it any more.
 */
export function closeReasonFor(gap: OpenGapFacts, patient: PatientContext): string | null {
  if (patient.deceased) {
    return 'patient expired';
  }
  if (gap.ruleTrigger !== 'conditions') {
    return null;
  }
  if (gap.homeItem && patient.atFacility) {
    return 'patient discharged to a facility';
  }
  if (patient.devices.get(itemKey(gap.item))?.present) {
    return 'item present at home';
  }
  return gap.status === 'open' ? 'no longer indicated' : null;
}
