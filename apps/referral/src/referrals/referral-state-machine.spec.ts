import type { ReferralStatus, ReferralType } from '@sc/contracts';
import { ReferralError, ReferralErrorCode } from '../errors/referral-error';
import { checkRenewal, planTransition, type Actor, type ReferralState, type StepAction } from './referral-state-machine';

const NOW = new Date('2026-11-18T12:00:00Z');
const LIVE = new Date(NOW.getTime() + 60_000);
const EXPIRED = new Date(NOW.getTime() - 1);

const nurse = (id: string, extra: Partial<Extract<Actor, { kind: 'nurse' }>> = {}): Actor => ({
  kind: 'nurse',
  id,
  teamId: 'nursing',
  role: 'nurse',
  skills: ['equipment', 'care-coordination', 'home-health'],
  active: true,
  ...extra,
});
const supervisor = nurse('sup-kim', { role: 'supervisor', skills: [] });

function referral(status: ReferralStatus, extra: Partial<ReferralState> = {}): ReferralState {
  const leased = status === 'claimed' || status === 'in-progress';
  return {
    type: 'dme-order',
    status,
    teamId: 'nursing',
    skill: 'equipment',
    claimedBy: status === 'new' ? null : 'rn-ana',
    leaseExpiresAt: leased ? LIVE : null,
    ...extra,
  };
}

function refusal(run: () => unknown): ReferralErrorCode | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ReferralError) {
      return error.code;
    }
    throw error;
  }
}

describe('planTransition', () => {
  it('walks the equipment path new -> claimed -> in-progress -> ordered -> completed', () => {
    const ana = nurse('rn-ana');
    expect(planTransition(referral('new'), 'claim', ana, NOW)).toEqual({ action: 'claim', from: 'new', to: 'claimed', claimant: 'rn-ana', lease: 'grant' });
    expect(planTransition(referral('claimed'), 'start', ana, NOW)).toMatchObject({ to: 'in-progress', lease: 'grant' });
    expect(planTransition(referral('in-progress'), 'order', ana, NOW)).toMatchObject({ to: 'ordered', lease: 'clear', claimant: 'rn-ana' });
    expect(planTransition(referral('ordered'), 'complete', ana, NOW)).toMatchObject({ to: 'completed', claimant: 'rn-ana' });
  });

  it('schedules visits and programs, and refuses to order them (and to schedule equipment)', () => {
    const ana = nurse('rn-ana');
    const visit = referral('in-progress', { type: 'in-home-nursing', skill: 'home-health' });
    expect(planTransition(visit, 'schedule', ana, NOW)).toMatchObject({ to: 'scheduled' });
    expect(refusal(() => planTransition(visit, 'order', ana, NOW))).toBe(ReferralErrorCode.StepNotForType);
    expect(refusal(() => planTransition(referral('in-progress'), 'schedule', ana, NOW))).toBe(ReferralErrorCode.StepNotForType);
  });

  it('orders a briefing only by sending it, and only a briefing can be sent', () => {
    const ana = nurse('rn-ana');
    const briefing = referral('in-progress', { type: 'specialist-briefing', skill: 'care-coordination' });
    expect(planTransition(briefing, 'send-briefing', ana, NOW)).toMatchObject({ to: 'ordered' });
    expect(refusal(() => planTransition(briefing, 'order', ana, NOW))).toBe(ReferralErrorCode.StepNotForType);
    expect(refusal(() => planTransition(referral('in-progress'), 'send-briefing', ana, NOW))).toBe(ReferralErrorCode.NotABriefing);
    expect(planTransition({ ...briefing, status: 'ordered', leaseExpiresAt: null }, 'acknowledge-briefing', { kind: 'external', id: 'ehr-bridge' }, NOW)).toMatchObject({
      to: 'completed',
    });
  });

  it.each<[ReferralStatus, StepAction]>([
    ['new', 'start'],
    ['new', 'complete'],
    ['claimed', 'order'],
    ['claimed', 'complete'],
    ['in-progress', 'complete'],
    ['scheduled', 'start'],
    ['completed', 'cancel'],
    ['declined', 'claim'],
    ['cancelled', 'release'],
    ['ordered', 'release'],
  ])('refuses %s -> %s as an invalid transition', (status, action) => {
    const state = referral(status, { type: 'dme-order' });
    expect(refusal(() => planTransition(state, action, nurse('rn-ana'), NOW, 'rn-li'))).toBe(ReferralErrorCode.InvalidTransition);
  });

  it('refuses a claim on a live lease and allows it once the lease has expired', () => {
    const li = nurse('rn-li');
    expect(refusal(() => planTransition(referral('claimed'), 'claim', li, NOW))).toBe(ReferralErrorCode.AlreadyClaimed);
    expect(planTransition(referral('in-progress', { leaseExpiresAt: EXPIRED }), 'claim', li, NOW)).toMatchObject({
      from: 'in-progress',
      to: 'claimed',
      claimant: 'rn-li',
      lease: 'grant',
    });
  });

  it('lets only nurses of the queue claim: team and skill, or a supervisor of the team', () => {
    expect(refusal(() => planTransition(referral('new'), 'claim', nurse('rn-x', { skills: ['wellness'] }), NOW))).toBe(ReferralErrorCode.NotInQueue);
    expect(refusal(() => planTransition(referral('new'), 'claim', nurse('rn-y', { teamId: 'other' }), NOW))).toBe(ReferralErrorCode.NotInQueue);
    expect(refusal(() => planTransition(referral('new'), 'claim', nurse('rn-z', { active: false }), NOW))).toBe(ReferralErrorCode.NurseInactive);
    expect(refusal(() => planTransition(referral('new'), 'claim', { kind: 'external', id: 'someone' }, NOW))).toBe(ReferralErrorCode.NurseNotFound);
    expect(planTransition(referral('new'), 'claim', supervisor, NOW)).toMatchObject({ claimant: 'sup-kim' });
  });

  it('keeps the work with its holder: another nurse cannot step it, and an expired holder must claim again', () => {
    expect(refusal(() => planTransition(referral('claimed'), 'start', nurse('rn-li'), NOW))).toBe(ReferralErrorCode.NotClaimant);
    expect(refusal(() => planTransition(referral('claimed', { leaseExpiresAt: EXPIRED }), 'start', nurse('rn-ana'), NOW))).toBe(ReferralErrorCode.LeaseExpired);
    expect(refusal(() => planTransition(referral('claimed'), 'start', supervisor, NOW))).toBe(ReferralErrorCode.NotClaimant);
  });

  it('lets the holder or a supervisor release, decline, cancel and reassign', () => {
    expect(planTransition(referral('in-progress'), 'release', nurse('rn-ana'), NOW)).toMatchObject({ to: 'new', claimant: null, lease: 'clear' });
    expect(planTransition(referral('claimed'), 'release', supervisor, NOW)).toMatchObject({ to: 'new' });
    expect(planTransition(referral('scheduled', { type: 'social-needs', skill: 'social-work' }), 'decline', supervisor, NOW)).toMatchObject({ to: 'declined' });
    expect(planTransition(referral('ordered'), 'cancel', nurse('rn-ana'), NOW)).toMatchObject({ to: 'cancelled' });
    expect(planTransition(referral('in-progress'), 'reassign', nurse('rn-ana'), NOW, 'rn-li')).toMatchObject({
      from: 'in-progress',
      to: 'in-progress',
      claimant: 'rn-li',
      lease: 'grant',
    });
    expect(planTransition(referral('ordered'), 'reassign', supervisor, NOW, 'rn-li')).toMatchObject({ to: 'ordered', claimant: 'rn-li', lease: 'keep' });
    expect(refusal(() => planTransition(referral('claimed'), 'cancel', nurse('rn-li'), NOW))).toBe(ReferralErrorCode.NotClaimant);
  });

  it('lets only a supervisor assign a waiting referral', () => {
    expect(planTransition(referral('new'), 'reassign', supervisor, NOW, 'rn-li')).toMatchObject({ to: 'claimed', claimant: 'rn-li', lease: 'grant' });
    expect(refusal(() => planTransition(referral('new'), 'reassign', nurse('rn-ana'), NOW, 'rn-li'))).toBe(ReferralErrorCode.NotSupervisor);
  });

  it('cancels any open referral for the system (A13, A11, death) and returns expired leases to the queue', () => {
    const system: Actor = { kind: 'system' };
    for (const status of ['new', 'claimed', 'in-progress', 'scheduled', 'ordered'] as const) {
      expect(planTransition(referral(status), 'cancel', system, NOW)).toMatchObject({ to: 'cancelled', lease: 'clear' });
    }
    expect(planTransition(referral('claimed', { leaseExpiresAt: EXPIRED }), 'expire-lease', system, NOW)).toMatchObject({ to: 'new', claimant: null });
    expect(refusal(() => planTransition(referral('claimed'), 'expire-lease', system, NOW))).toBe(ReferralErrorCode.InvalidTransition);
  });

  it.each<ReferralType>(['dme-order', 'specialist-briefing', 'in-home-nursing'])('renews only the live lease of the holder (%s)', (type) => {
    const state = referral('claimed', { type });
    expect(() => checkRenewal(state, 'rn-ana', NOW)).not.toThrow();
    expect(refusal(() => checkRenewal(state, 'rn-li', NOW))).toBe(ReferralErrorCode.NotClaimant);
    expect(refusal(() => checkRenewal({ ...state, leaseExpiresAt: EXPIRED }, 'rn-ana', NOW))).toBe(ReferralErrorCode.LeaseExpired);
    expect(refusal(() => checkRenewal(referral('ordered', { type }), 'rn-ana', NOW))).toBe(ReferralErrorCode.InvalidTransition);
  });
});
