import type { EscalationRule } from '../notifications/notification-request';
import { userKey, type RecipientKey } from '../notifications/recipient-key';
import type { Role } from '../recipients/roles';

export interface TeamMember {
  recipientId: string;
  teamId: string;
  roles: readonly Role[];
}

/**
 * Who hears when an urgent notification stays unacknowledged: the named escalation recipient,
 * and/or the team leads of the relevant teams (their supervisors when a team has no lead). When
 * the rule names nobody, or nobody could be found, the original recipient is notified again, so
 * an escalation never goes nowhere.
 */
export function escalationTargets(original: RecipientKey, rule: EscalationRule, members: readonly TeamMember[]): RecipientKey[] {
  const targets = new Set<RecipientKey>();
  if (rule.recipientId) {
    targets.add(userKey(rule.recipientId));
  }
  if (rule.toTeamLead) {
    const leads = members.filter((member) => member.roles.includes('team-lead'));
    const chosen = leads.length > 0 ? leads : members.filter((member) => member.roles.includes('supervisor'));
    for (const member of chosen) {
      targets.add(userKey(member.recipientId));
    }
  }
  if (targets.size === 0) {
    targets.add(original);
  }
  return [...targets].sort();
}
