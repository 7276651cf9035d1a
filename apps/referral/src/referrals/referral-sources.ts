import type { CareGapData, EncounterEventData, NeedKind, PharmacyNeedFlaggedData, ReferralSourceKind, ReferralType } from '@sc/contracts';

export type ItemSystem = 'HCPCS' | 'ICD10' | 'PROGRAM' | 'TASK';

/** A referral some source asks for; `sourceKey` is unique, so a replayed or repeated source creates nothing new. */
export interface ReferralSpec {
  type: ReferralType;
  sourceKind: ReferralSourceKind;
  sourceId: string;
  sourceKey: string;
  item: { system: ItemSystem; code: string } | null;
  severity: 'low' | 'moderate' | 'high' | null;
  /** The nurse team the source names (a care gap's team); null routes by the episode's facility. */
  teamId: string | null;
}

const TEAM_ID = /^[A-Za-z0-9._-]{1,64}$/;

const POSTPARTUM = /postpartum|postnatal|maternal/i;

/** Gap statuses in which the work is still to be arranged. */
const ACTIONABLE_GAP_STATUSES: ReadonlySet<CareGapData['status']> = new Set(['open', 'coverage-verified']);

/**
 * A care gap becomes a referral when nurses can act on it: a postpartum follow-up gap at once, a
 * device gap (HCPCS item) once its coverage is confirmed. A gap that is not covered, awaits prior
 * authorization, or was already ordered or delivered elsewhere creates nothing.
 */
export function referralFromCareGap(data: CareGapData): ReferralSpec | null {
  if (!ACTIONABLE_GAP_STATUSES.has(data.status)) {
    return null;
  }
  const base = {
    sourceKind: 'care-gap' as const,
    sourceId: data.gapId,
    sourceKey: `care-gap:${data.gapId}`,
    severity: data.severity,
    teamId: data.teamId !== null && TEAM_ID.test(data.teamId) ? data.teamId : null,
  };
  if (POSTPARTUM.test(data.gapType) || POSTPARTUM.test(data.item.code)) {
    return { ...base, type: 'postpartum-follow-up', item: { system: data.item.system, code: data.item.code } };
  }
  const covered = data.coverage.determination === 'covered' || data.status === 'coverage-verified';
  if (data.item.system === 'HCPCS' && covered) {
    return { ...base, type: 'dme-order', item: { system: 'HCPCS', code: data.item.code } };
  }
  return null;
}

/** A missing device is not listed: care-gap checks coverage first and opens the gap that becomes the order. */
const NEED_TYPES: { readonly [N in NeedKind]: ReferralType | null } = {
  'missing-home-device': null,
  'diet-or-wellness': 'wellness-program',
  'specialist-symptoms': 'specialist-briefing',
  'in-home-care': 'in-home-nursing',
  'social-needs': 'social-needs',
};

export function referralFromNeed(data: PharmacyNeedFlaggedData): ReferralSpec | null {
  const type = NEED_TYPES[data.need];
  if (type === null) {
    return null;
  }
  return {
    type,
    sourceKind: 'need-flag',
    sourceId: data.flagId,
    sourceKey: `need-flag:${data.flagId}`,
    item: data.code !== null && data.codeSystem !== null ? { system: data.codeSystem, code: data.code } : null,
    severity: null,
    teamId: null,
  };
}

/** PV1-36 (HL7 table 0112): 06 discharged to home under care of a home health service. */
const HOME_HEALTH = '06';
const EXPIRED_DISPOSITIONS: ReadonlySet<string> = new Set(['20', '40', '41', '42']);

/** A discharge that reports the patient's death (disposition expired or the PID-30 indicator). */
export function reportsDeath(data: EncounterEventData): boolean {
  return data.patient.deceased || (data.visit.dischargeDisposition !== null && EXPIRED_DISPOSITIONS.has(data.visit.dischargeDisposition));
}

/**
 * The referrals a discharge itself calls for. The key names the discharge time, so a resent
 * discharge is the same source while a new discharge after a cancelled one (A13, then A03) is not.
 */
export function referralsFromDischarge(correlationId: string, dischargedAt: Date, data: EncounterEventData): ReferralSpec[] {
  if (reportsDeath(data)) {
    return [];
  }
  const specs: ReferralSpec[] = [];
  if (data.visit.dischargeDisposition === HOME_HEALTH) {
    specs.push({
      type: 'in-home-nursing',
      sourceKind: 'discharge-rule',
      sourceId: correlationId,
      sourceKey: `discharge-rule:${correlationId}:${dischargedAt.toISOString()}:home-health`,
      item: null,
      severity: null,
      teamId: null,
    });
  }
  return specs;
}
