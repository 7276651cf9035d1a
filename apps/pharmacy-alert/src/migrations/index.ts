import { InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000 } from '@sc/messaging';
import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { PharmacistWorkflow1763900000000 } from './1763900000000-pharmacist-workflow';
import { AuditLog1764000000000 } from './1764000000000-audit-log';
import { PatientSubjects1764700000000 } from './1764700000000-patient-subjects';
import { DemographicIndex1764800000000 } from './1764800000000-demographic-index';
import { RosterChangeNotifications1766000000000 } from './1766000000000-roster-change-notifications';
import { RosterSubjectNotifications1766200000000 } from './1766200000000-roster-subject-notifications';
import { DropUnmatchedEncounters1766100000000 } from './1766100000000-drop-unmatched-encounters';
import { RegulatoryClocks1766300000000 } from './1766300000000-regulatory-clocks';
import { DischargesReceived1766400000000 } from './1766400000000-discharges-received';
import { CanonicalLanguages1766500000000 } from './1766500000000-canonical-languages';
import { OneLiveTaskPerEpisode1766600000000 } from './1766600000000-one-live-task-per-episode';

/** Every migration of this service, in order; checked in and reviewed like code. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  PharmacistWorkflow1763900000000,
  AuditLog1764000000000,
  PatientSubjects1764700000000,
  DemographicIndex1764800000000,
  InboxRetentionIndex1765500000000,
  OutboxPendingQueue1765600000000,
  RosterChangeNotifications1766000000000,
  DropUnmatchedEncounters1766100000000,
  RosterSubjectNotifications1766200000000,
  RegulatoryClocks1766300000000,
  DischargesReceived1766400000000,
  CanonicalLanguages1766500000000,
  OneLiveTaskPerEpisode1766600000000,
];
