import type { ReferralPriority, ReferralStatus, ReferralType } from '@sc/contracts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Hours from discharge by which each kind of referral should be arranged, before the service's
 * discharge window caps them: equipment and specialist briefings within a day, a home-health
 * start of care and social needs within two, programs and the early postpartum check within three.
 */
export const TARGET_HOURS: { readonly [T in ReferralType]: number } = {
  'dme-order': 24,
  'specialist-briefing': 24,
  'in-home-nursing': 48,
  'social-needs': 48,
  'wellness-program': 72,
  'postpartum-follow-up': 72,
};

const BASE_PRIORITY: { readonly [T in ReferralType]: ReferralPriority } = {
  'dme-order': 'high',
  'specialist-briefing': 'high',
  'in-home-nursing': 'high',
  'postpartum-follow-up': 'high',
  'social-needs': 'routine',
  'wellness-program': 'routine',
};

export interface ReferralClock {
  dueAt: Date;
  priority: ReferralPriority;
  overdueOnArrival: boolean;
}

/**
 * Due time and priority of a new referral. The clock starts at the clinical discharge (or, when the
 * service has not seen one, at the source event), so a late source arrives already urgent or
 * overdue, never with a fresh clock. Urgent once less than a quarter of the target time is left.
 */
export function referralClock(input: {
  type: ReferralType;
  clockStart: Date;
  now: Date;
  windowHours: number;
  severity: 'low' | 'moderate' | 'high' | null;
}): ReferralClock {
  const targetHours = Math.min(TARGET_HOURS[input.type], input.windowHours);
  const dueAt = new Date(input.clockStart.getTime() + targetHours * HOUR_MS);
  const remainingMs = dueAt.getTime() - input.now.getTime();
  let priority = BASE_PRIORITY[input.type];
  if (input.severity === 'high') {
    priority = 'high';
  }
  if (remainingMs < (targetHours * HOUR_MS) / 4) {
    priority = 'urgent';
  }
  return { dueAt, priority, overdueOnArrival: remainingMs <= 0 };
}

export type SlaStep = 'escalation' | 'breach';

/**
 * The durable SLA timers of a referral: an escalation `leadMinutes` before the deadline (at once if
 * that moment has passed but the deadline has not) and a breach at the deadline.
 */
export function slaTimers(now: Date, dueAt: Date, leadMinutes: number): Array<{ step: SlaStep; fireAt: Date }> {
  const breach = { step: 'breach' as const, fireAt: dueAt };
  if (dueAt.getTime() <= now.getTime()) {
    return [breach];
  }
  const escalationAt = new Date(Math.max(now.getTime(), dueAt.getTime() - leadMinutes * MINUTE_MS));
  return [{ step: 'escalation', fireAt: escalationAt }, breach];
}

/** The SLA is met once the work is arranged (or the referral is closed): later timers do nothing. */
export function slaStepApplies(status: ReferralStatus): boolean {
  return status === 'new' || status === 'claimed' || status === 'in-progress';
}
