/**
 * Events of the referral service (owner: referral). Kept in its own file; merged into the
 * catalogue in events.ts.
 */
export type ReferralType = 'dme-order' | 'in-home-nursing' | 'wellness-program' | 'specialist-briefing' | 'social-needs' | 'postpartum-follow-up';
export type ReferralStatus = 'new' | 'claimed' | 'in-progress' | 'scheduled' | 'ordered' | 'completed' | 'declined' | 'cancelled';

export interface ReferralData {
  referralId: string;
  referralType: ReferralType;
  status: ReferralStatus;
  queueId: string;
  dueAt: string | null;
  /** Who did it (user id) or `system`. */
  actorId: string;
  reason: string | null;
}

export interface ReferralEventPayloads {
  'referral.created': ReferralData;
  'referral.status-changed': ReferralData;
}

export const REFERRAL_EVENT_VERSIONS: { readonly [T in keyof ReferralEventPayloads]: number } = {
  'referral.created': 1,
  'referral.status-changed': 1,
};
