import type { AdtMessage } from '@sc/hl7';
import { canonicalLanguage } from '@sc/language';
import type { EncounterWarning } from '../encounters/encounter-state-machine';

/**
 * Data-quality warnings recorded on an accepted message: it took effect, but the interface team
 * should look at what the sender put in it. The encounter warnings come from the state machine;
 * `language-unrecognised` is a PID-15 no ISO 639 table names (published as sent).
 */
export const MESSAGE_WARNINGS = ['discharge-before-last-event', 'discharge-after-cancelled-admission', 'language-unrecognised'] as const;
export type MessageWarning = (typeof MESSAGE_WARNINGS)[number] & (EncounterWarning | 'language-unrecognised');

export interface MessageWarningRow {
  readonly messageId: string;
  readonly warning: MessageWarning;
}

/** The warnings of one accepted message. Pure. */
export function messageWarnings(adt: AdtMessage, encounterWarnings: readonly EncounterWarning[] = []): MessageWarning[] {
  const language = canonicalLanguage(adt.patient.primaryLanguage);
  return [...encounterWarnings, ...(language && !language.recognised ? (['language-unrecognised'] as const) : [])];
}
