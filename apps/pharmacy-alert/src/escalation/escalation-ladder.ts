import type { ClockDeadline, ClockName } from '../tasks/regulatory-clocks';

export type EscalationStep = 'reminder' | 'team-lead' | 'breach';

export interface LadderSettings {
  reminderMinutes: number;
  teamLeadHours: number;
  /** The clocks the team-lead and breach rungs run against. */
  clocks: readonly ClockName[];
}

export interface EscalationTimer {
  step: EscalationStep;
  clock: ClockName;
  fireAt: Date;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * When each rung fires: a reminder some time after the task was created (if still unacknowledged),
 * and for each configured clock the team lead some hours after discharge (if the clock is not met,
 * never after its deadline) and a breach at the deadline. A late discharge gets rungs already in
 * the past, which fire at once. The reminder is about acknowledgement, not a deadline; it is kept
 * under the follow-up clock, where timers from before the clocks also are.
 */
export function escalationTimers(createdAt: Date, clockStart: Date, deadlines: readonly ClockDeadline[], settings: LadderSettings): EscalationTimer[] {
  const reminder: EscalationTimer = { step: 'reminder', clock: 'follow-up-24h', fireAt: new Date(createdAt.getTime() + settings.reminderMinutes * MINUTE_MS) };
  const rungs = deadlines
    .filter((deadline) => settings.clocks.includes(deadline.clock))
    .flatMap(({ clock, dueAt }): EscalationTimer[] => [
      { step: 'team-lead', clock, fireAt: new Date(Math.min(clockStart.getTime() + settings.teamLeadHours * HOUR_MS, dueAt.getTime())) },
      { step: 'breach', clock, fireAt: dueAt },
    ]);
  return [reminder, ...rungs];
}

/** Whether a rung still applies, when its time comes, to a task in this state whose clock is or is not met. */
export function stepApplies(step: EscalationStep, status: string, clockMet: boolean): boolean {
  switch (step) {
    case 'reminder':
      return status === 'open';
    case 'team-lead':
    case 'breach':
      return (status === 'open' || status === 'acknowledged') && !clockMet;
  }
}
