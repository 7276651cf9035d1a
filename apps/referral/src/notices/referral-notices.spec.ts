import { REFERRAL_TYPES } from '@sc/contracts';
import { Notices } from './referral-notices';
import { stableId } from './stable-id';

const referral = (type: (typeof REFERRAL_TYPES)[number]) => ({
  id: '7b0c8a52-3f0e-4c64-9a55-1f6a4f0b9d11',
  type,
  teamId: 'nursing',
  priority: 'high' as const,
  dueAt: new Date('2026-11-19T10:00:00Z'),
});

/** The notifier refuses titles with a diagnosis code or a condition; these are the producer-side twin of that guard. */
const DIAGNOSIS_CODE = /\b[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?\b/;
const CONDITION = /pregnan|postpartum|postnatal|maternal|diagnos|cardi|diabet|hiv|mental|substance|cancer|rheumat/i;

describe('Notices', () => {
  it('names the kind of work, never the condition behind it', () => {
    for (const type of REFERRAL_TYPES) {
      const titles = [
        Notices.created(referral(type)),
        Notices.assigned(referral(type), 'rn-li', '4'),
        Notices.leaseExpired(referral(type), 'rn-li', '5'),
        Notices.withdrawn(referral(type), null, 'patient-deceased'),
        Notices.escalation(referral(type), null),
        Notices.breach(referral(type), 'sup-kim'),
        Notices.briefingAcknowledged(referral(type), 'rn-li'),
      ].map((notice) => notice.title);
      for (const title of titles) {
        expect(title).not.toMatch(DIAGNOSIS_CODE);
        expect(title).not.toMatch(CONDITION);
        expect(title.length).toBeLessThanOrEqual(160);
      }
    }
  });

  it('gives each notice a stable UUID, different per purpose and recipient', () => {
    const dme = referral('dme-order');
    expect(Notices.breach(dme, 'sup-kim').notificationId).toBe(Notices.breach(dme, 'sup-kim').notificationId);
    expect(Notices.breach(dme, 'sup-kim').notificationId).not.toBe(Notices.breach(dme, null).notificationId);
    expect(Notices.created(dme).notificationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableId('a')).not.toBe(stableId('b'));
  });

  it('tells the holder, or the team when nobody holds it, and links to the referral', () => {
    expect(Notices.withdrawn(referral('dme-order'), 'rn-li', 'discharge-cancelled')).toMatchObject({
      recipientId: 'rn-li',
      teamId: 'nursing',
      title: 'Referral withdrawn: discharge cancelled by the hospital',
      link: '/v1/referrals/7b0c8a52-3f0e-4c64-9a55-1f6a4f0b9d11',
      itemType: 'referral',
    });
    expect(Notices.escalation(referral('dme-order'), null)).toMatchObject({ recipientId: null, urgency: 'urgent' });
  });
});
