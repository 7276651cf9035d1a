export type EscalationStep = 'reminder' | 'team-lead' | 'breach';

export interface LadderSettings {
  reminderMinutes: number;
  teamLeadHours: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * When each rung fires: a reminder some time after the task was created (if still unacknowledged),
 * the team lead some hours after discharge (if not done), a breach at the deadline. A late
 * discharge gets rungs already in the past, which fire at once.
 */
export function escalationTimers(
  createdAt: Date,
  clockStart: Date,
  dueAt: Date,
  settings: LadderSettings,
): Array<{ step: EscalationStep; fireAt: Date }> {
  const teamLeadAt = new Date(Math.min(clockStart.getTime() + settings.teamLeadHours * HOUR_MS, dueAt.getTime()));
  return [
    { step: 'reminder', fireAt: new Date(createdAt.getTime() + settings.reminderMinutes * MINUTE_MS) },
    { step: 'team-lead', fireAt: teamLeadAt },
    { step: 'breach', fireAt: dueAt },
  ];
}

/** Whether a rung still applies to a task in this state when its time comes. */
export function stepApplies(step: EscalationStep, status: string): boolean {
  switch (step) {
    case 'reminder':
      return status === 'open';
    case 'team-lead':
    case 'breach':
      return status === 'open' || status === 'acknowledged';
  }
}
