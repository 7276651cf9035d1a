import type { AdtTriggerEvent } from '@sc/hl7';

export type EncounterState = 'preadmitted' | 'registered' | 'admitted' | 'discharged' | 'cancelled' | 'merged';

/** The encounter's state after a trigger event; cancels return it to where it was before the cancelled event. */
export function nextEncounterState(trigger: AdtTriggerEvent): EncounterState {
  switch (trigger) {
    case 'A05':
      return 'preadmitted';
    case 'A04':
      return 'registered';
    case 'A01':
    case 'A02':
    case 'A06':
    case 'A07':
    case 'A08':
    case 'A12':
    case 'A13':
      return 'admitted';
    case 'A03':
      return 'discharged';
    case 'A11':
      return 'cancelled';
    case 'A40':
      return 'merged';
  }
}
