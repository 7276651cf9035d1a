import { InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000 } from '@sc/messaging';
import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { EncounterStatesSearchReplay1764300000000 } from './1764300000000-encounter-states-search-replay';
import { EncounterUpdateRoom1765800000000 } from './1765800000000-encounter-update-room';
import { MessageWarnings1766300000000 } from './1766300000000-message-warnings';

/** Every migration of this service, in order; checked in and reviewed like code. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  EncounterStatesSearchReplay1764300000000,
  InboxRetentionIndex1765500000000,
  OutboxPendingQueue1765600000000,
  EncounterUpdateRoom1765800000000,
  MessageWarnings1766300000000,
];
