/**
 * Events of the referral service (owner: referral). Kept in its own file; merged into the
 * catalogue in events.ts.
 */
export const REFERRAL_TYPES = ['dme-order', 'in-home-nursing', 'wellness-program', 'specialist-briefing', 'social-needs', 'postpartum-follow-up'] as const;
export type ReferralType = (typeof REFERRAL_TYPES)[number];

export const REFERRAL_STATUSES = ['new', 'claimed', 'in-progress', 'scheduled', 'ordered', 'completed', 'declined', 'cancelled'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export type ReferralPriority = 'urgent' | 'high' | 'routine';

/** What created the referral: a care gap (id = gap id), a pharmacist's need flag (flag id) or a discharge rule (episode). */
export type ReferralSourceKind = 'care-gap' | 'need-flag' | 'discharge-rule';

/** One step of the referral state machine; `reassign` and `claim` of an expired lease may keep the status. */
export type ReferralAction =
  | 'create'
  | 'claim'
  | 'release'
  | 'reassign'
  | 'start'
  | 'schedule'
  | 'order'
  | 'send-briefing'
  | 'acknowledge-briefing'
  | 'complete'
  | 'decline'
  | 'cancel'
  | 'expire-lease';

export interface ReferralData {
  referralId: string;
  referralType: ReferralType;
  status: ReferralStatus;
  previousStatus: ReferralStatus | null;
  action: ReferralAction;
  /** `<teamId>.<skill>`. */
  queueId: string;
  teamId: string;
  priority: ReferralPriority;
  dueAt: string;
  /** The nurse who holds the referral after this step, if any. */
  claimedBy: string | null;
  /** Who did it (user id), the integration that acknowledged, or `system`. */
  actorId: string;
  /** A reason code (e.g. `patient-declined`, `discharge-cancelled`); never free text. */
  reason: string | null;
  source: { kind: ReferralSourceKind; id: string };
  /** The device to order (HCPCS) for equipment referrals; null otherwise, so no diagnosis travels. */
  item: { system: 'HCPCS'; code: string } | null;
}

/** The SLA clock of an open referral: `escalation` some time before the deadline, `breach` at it. */
export interface ReferralSlaEscalatedData {
  referralId: string;
  referralType: ReferralType;
  queueId: string;
  teamId: string;
  step: 'escalation' | 'breach';
  status: ReferralStatus;
  claimedBy: string | null;
  dueAt: string;
}

/**
 * A nurse sent a specialist briefing. The packet itself (coded medications, conditions,
 * encounters) is not on the event: the integration that delivers it reads it from `link`.
 */
export interface ReferralBriefingSentData {
  referralId: string;
  specialistId: string;
  actorId: string;
  sentAt: string;
  link: string;
  contents: { medications: number; conditions: number; encounters: number; withheldConditions: number };
}

export interface ReferralEventPayloads {
  'referral.created': ReferralData;
  'referral.status-changed': ReferralData;
  'referral.sla-escalated': ReferralSlaEscalatedData;
  'referral.briefing-sent': ReferralBriefingSentData;
}

export const REFERRAL_EVENT_VERSIONS: { readonly [T in keyof ReferralEventPayloads]: number } = {
  'referral.created': 1,
  'referral.status-changed': 1,
  'referral.sla-escalated': 1,
  'referral.briefing-sent': 1,
};
