import type { NotificationRequestedData, ReferralPriority, ReferralType } from '@sc/contracts';
import { stableId } from './stable-id';

/**
 * What a notification may say about a referral: the kind of work, never why. Postpartum follow-up
 * is shown as a follow-up visit, since the word alone discloses a pregnancy.
 */
export const WORK_LABEL: { readonly [T in ReferralType]: string } = {
  'dme-order': 'home equipment order',
  'in-home-nursing': 'in-home nursing visit',
  'wellness-program': 'wellness program enrollment',
  'specialist-briefing': 'specialist briefing',
  'social-needs': 'community support',
  'postpartum-follow-up': 'follow-up visit',
};

/** Why open work was withdrawn, in words fit for a notification. */
const WITHDRAWAL: Readonly<Record<string, string>> = {
  'discharge-cancelled': 'discharge cancelled by the hospital',
  'admission-cancelled': 'admission cancelled by the hospital',
  'patient-deceased': 'patient expired',
  'care-gap-dismissed': 'no longer needed',
  'care-gap-closed': 'no longer needed',
};

export interface NoticeSubject {
  id: string;
  type: ReferralType;
  teamId: string;
  priority: ReferralPriority;
  dueAt: Date;
}

const link = (referralId: string): string => `/v1/referrals/${referralId}`;

function notice(
  referral: NoticeSubject,
  key: string,
  recipientId: string | null,
  title: string,
  urgency: 'routine' | 'urgent',
): NotificationRequestedData {
  return {
    notificationId: stableId(`${referral.id}:${key}`),
    recipientId,
    teamId: referral.teamId,
    title,
    urgency,
    dueAt: referral.dueAt.toISOString(),
    link: link(referral.id),
    itemType: 'referral',
    itemId: referral.id,
  };
}

export const Notices = {
  /** New work in the team's queue. */
  created: (referral: NoticeSubject): NotificationRequestedData =>
    notice(referral, 'created', null, `New referral in the queue: ${WORK_LABEL[referral.type]}`, referral.priority === 'urgent' ? 'urgent' : 'routine'),

  /** `sequence` tells apart successive hand-overs of one referral (its history entry id). */
  assigned: (referral: NoticeSubject, nurseId: string, sequence: string): NotificationRequestedData =>
    notice(referral, `assigned:${sequence}`, nurseId, `Referral handed to you: ${WORK_LABEL[referral.type]}`, referral.priority === 'urgent' ? 'urgent' : 'routine'),

  leaseExpired: (referral: NoticeSubject, nurseId: string, sequence: string): NotificationRequestedData =>
    notice(referral, `lease-expired:${sequence}`, nurseId, 'Your claim lapsed: the referral is back in the queue', 'routine'),

  withdrawn: (referral: NoticeSubject, claimedBy: string | null, reason: string): NotificationRequestedData =>
    notice(referral, 'withdrawn', claimedBy, `Referral withdrawn: ${WITHDRAWAL[reason] ?? 'cancelled'}`, 'routine'),

  escalation: (referral: NoticeSubject, recipientId: string | null): NotificationRequestedData =>
    notice(referral, `escalation:${recipientId ?? 'team'}`, recipientId, `Referral due soon and not yet arranged: ${WORK_LABEL[referral.type]}`, 'urgent'),

  breach: (referral: NoticeSubject, recipientId: string | null): NotificationRequestedData =>
    notice(referral, `breach:${recipientId ?? 'team'}`, recipientId, `Referral past its deadline: ${WORK_LABEL[referral.type]}`, 'urgent'),

  briefingAcknowledged: (referral: NoticeSubject, nurseId: string | null): NotificationRequestedData =>
    notice(referral, 'briefing-acknowledged', nurseId, 'The specialist acknowledged your briefing', 'routine'),
};
