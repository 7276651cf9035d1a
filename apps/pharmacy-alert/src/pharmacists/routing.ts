import { languageCode } from '@sc/language';
import type { RoutingCandidate } from './pharmacist.repository';

export interface RoutingInput {
  assignedPharmacistId: string | null;
  assignedPharmacistActive: boolean;
  /** The roster's preferred language: what the patient told the program, so it wins. */
  patientLanguage: string | null;
  /** The hospital's PID-15 from the event, used when the roster has none. */
  feedLanguage?: string | null;
  teamMembers: RoutingCandidate[];
}

export interface RoutingDecision {
  assigneeId: string | null;
  reason: 'assigned-pharmacist' | 'language-match' | 'team-pool';
}

/**
 * The patient's own pharmacist first; else a pharmacist of the team who speaks the patient's
 * language (least open work wins, then id for a stable choice); else the team pool. The language
 * is the roster's, else the feed's, both compared as canonical codes (`SPA^Spanish^ISO639` is `es`).
 */
export function routeTask(input: RoutingInput): RoutingDecision {
  if (input.assignedPharmacistId && input.assignedPharmacistActive) {
    return { assigneeId: input.assignedPharmacistId, reason: 'assigned-pharmacist' };
  }
  const language = languageCode(input.patientLanguage) ?? languageCode(input.feedLanguage);
  if (language) {
    const speakers = input.teamMembers
      .filter((member) => member.role === 'pharmacist' && member.languages.includes(language))
      .sort((a, b) => a.openTasks - b.openTasks || a.id.localeCompare(b.id));
    if (speakers.length > 0) {
      return { assigneeId: speakers[0].id, reason: 'language-match' };
    }
  }
  return { assigneeId: null, reason: 'team-pool' };
}

/** Who hears about escalations for a team: its team leads. */
export function teamLeads(members: RoutingCandidate[]): string[] {
  return members.filter((member) => member.role === 'team-lead').map((member) => member.id);
}
