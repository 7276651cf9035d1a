/**
 * Events of the care-gap service (owner: care-gap) and of the clinical-context feed it consumes.
 * Kept in its own file so the service's contract evolves without touching the others'; merged into
 * the catalogue in events.ts, and routed to topics through CARE_GAP_EVENT_TOPICS in topics.ts.
 */
export type CoverageDetermination = 'covered' | 'not-covered' | 'prior-authorization' | 'unknown';
export type CareGapStatus = 'open' | 'coverage-verified' | 'ordered' | 'delivered' | 'closed' | 'dismissed';
export type CareGapSeverity = 'low' | 'moderate' | 'high';
export type CareGapItemSystem = 'HCPCS' | 'PROGRAM' | 'TASK';

export interface CareGapItem {
  system: CareGapItemSystem;
  code: string;
}

export interface CareGapCoverage {
  determination: CoverageDetermination;
  /** The plan benefit row that decided it (e.g. `NSHP-GOLD/DME-A4670`); null when no benefit row applies. */
  benefitRule: string | null;
  planId: string | null;
  priorAuthorizationRequired: boolean;
  quantityLimit: { quantity: number; periodDays: number } | null;
}

/** Why the gap exists: the rule and version that decided it and the codes that matched (never a sensitive code without consent). */
export interface CareGapExplanation {
  ruleId: string;
  ruleVersion: number;
  matchedCodes: string[];
  /** suspected: inferred from conditions; confirmed: a pharmacist or the context feed said the item is absent. */
  evidence: 'suspected' | 'confirmed';
  trigger: string;
}

export interface CareGapData {
  gapId: string;
  /** Stable per patient and gap type: at most one open gap per patient and type. */
  gapType: string;
  ruleId: string;
  ruleVersion: number;
  severity: CareGapSeverity;
  /** What should be present, e.g. HCPCS A4670 (home blood-pressure monitor). */
  item: CareGapItem;
  recommendedAction: string;
  coverage: CareGapCoverage;
  status: CareGapStatus;
  teamId: string | null;
  explanation: CareGapExplanation;
  /** Who changed it (user id) or `system`. */
  actorId: string;
}

export interface CareGapClosedData {
  gapId: string;
  gapType: string;
  status: 'closed' | 'dismissed';
  reason: string;
  actorId: string;
}

/** A condition as a clinical system knows it; ICD-10-CM codes, with or without the dot. */
export interface ContextCondition {
  code: string;
  codingSystem: 'ICD10';
  status: 'active' | 'resolved';
}

/** Clinical-context feed: the patient's conditions changed (subject = patient reference). */
export interface ContextConditionsChangedData {
  conditions: ContextCondition[];
}

/** A device or supply the patient has at home (present) or is known to lack (absent), by HCPCS code. */
export interface ContextDevice {
  code: string;
  system: 'HCPCS' | 'PROGRAM';
  status: 'present' | 'absent';
}

/** Clinical-context feed: the patient's devices and supplies changed (subject = patient reference). */
export interface ContextDevicesChangedData {
  devices: ContextDevice[];
}

export interface PlanBenefit {
  itemSystem: 'HCPCS' | 'PROGRAM' | 'TASK';
  itemCode: string;
  coverage: 'covered' | 'not-covered' | 'prior-authorization';
  quantityLimit: { quantity: number; periodDays: number } | null;
  /** The payer's id for this benefit rule, cited on every gap it decides. */
  benefitRuleId: string;
}

/** Clinical-context feed: a plan's benefits changed (subject = `plan:<planId>`, not a patient). */
export interface ContextBenefitsChangedData {
  planId: string;
  benefits: PlanBenefit[];
}

export interface CareGapEventPayloads {
  'care-gap.opened': CareGapData;
  'care-gap.updated': CareGapData;
  'care-gap.closed': CareGapClosedData;
  'context.conditions-changed': ContextConditionsChangedData;
  'context.devices-changed': ContextDevicesChangedData;
  'context.benefits-changed': ContextBenefitsChangedData;
}

export const CARE_GAP_EVENT_VERSIONS: { readonly [T in keyof CareGapEventPayloads]: number } = {
  'care-gap.opened': 1,
  'care-gap.updated': 1,
  'care-gap.closed': 1,
  'context.conditions-changed': 1,
  'context.devices-changed': 1,
  'context.benefits-changed': 1,
};

/** Topic key (see TOPIC_CATALOGUE) of each type above; spread into EVENT_TOPICS. */
export const CARE_GAP_EVENT_TOPICS: { readonly [T in keyof CareGapEventPayloads]: 'careGaps' | 'clinicalContext' } = {
  'care-gap.opened': 'careGaps',
  'care-gap.updated': 'careGaps',
  'care-gap.closed': 'careGaps',
  'context.conditions-changed': 'clinicalContext',
  'context.devices-changed': 'clinicalContext',
  'context.benefits-changed': 'clinicalContext',
};
