/**
 * Events of the care-gap service (owner: care-gap). Kept in its own file so the service's
 * contract evolves without touching the others'; merged into the catalogue in events.ts.
 */
export type CoverageDetermination = 'covered' | 'not-covered' | 'prior-authorization' | 'unknown';
export type CareGapStatus = 'open' | 'coverage-verified' | 'ordered' | 'delivered' | 'closed' | 'dismissed';

export interface CareGapData {
  gapId: string;
  /** Stable per patient and gap type: at most one open gap per patient and type. */
  gapType: string;
  ruleId: string;
  ruleVersion: number;
  severity: 'low' | 'moderate' | 'high';
  /** What should be present, e.g. HCPCS A4670 (home blood-pressure monitor). */
  item: { system: 'HCPCS' | 'PROGRAM' | 'TASK'; code: string };
  recommendedAction: string;
  coverage: { determination: CoverageDetermination; benefitRule: string | null };
  status: CareGapStatus;
  teamId: string | null;
}

export interface CareGapClosedData {
  gapId: string;
  gapType: string;
  status: 'closed' | 'dismissed';
  reason: string;
}

export interface CareGapEventPayloads {
  'care-gap.opened': CareGapData;
  'care-gap.updated': CareGapData;
  'care-gap.closed': CareGapClosedData;
}

export const CARE_GAP_EVENT_VERSIONS: { readonly [T in keyof CareGapEventPayloads]: number } = {
  'care-gap.opened': 1,
  'care-gap.updated': 1,
  'care-gap.closed': 1,
};
