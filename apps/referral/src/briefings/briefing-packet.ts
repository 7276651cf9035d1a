import type { CodedMedication, MedicationDiscrepancy } from '@sc/contracts';
import type { EpisodeFacts, FollowUp, Reconciliation } from '../facts/clinical-facts.repository';

export interface BriefingCondition {
  code: string;
  codingSystem: string | null;
  /** Discharge (else admission) time of the latest episode that coded it. */
  lastSeenAt: string | null;
  episodes: number;
}

export interface BriefingEncounter {
  episodeId: string;
  facility: string | null;
  patientClass: string | null;
  admittedAt: string | null;
  dischargedAt: string | null;
  disposition: string | null;
  dischargeCancelled: boolean;
}

export interface BriefingMedications {
  reconciledAt: string;
  homeMedications: CodedMedication[];
  startedInHospital: CodedMedication[];
  stopped: CodedMedication[];
  changed: CodedMedication[];
  discrepancies: MedicationDiscrepancy[];
}

/** What a specialist is sent: coded data this service has seen, never names, identifiers or free text. */
export interface BriefingPacket {
  referralId: string;
  assembledAt: string;
  /** What the pharmacist flagged for the specialist (ICD-10 symptom code), if coded. */
  reasonForBriefing: { system: string; code: string } | null;
  medications: BriefingMedications | null;
  conditions: BriefingCondition[];
  /** Diagnoses left out because they fall in a category that needs the patient's consent to share. */
  withheldConditions: number;
  recentEncounters: BriefingEncounter[];
  pharmacistFollowUps: Array<{ outcome: string; completedAt: string; withinWindow: boolean }>;
}

/**
 * ICD-10-CM categories shared only with the patient's recorded consent: mental and behavioural
 * disorders including substance use (F, 42 CFR Part 2), HIV (B20-B24, Z21, Z71.7), pregnancy loss
 * and termination (O00-O08, Z33.2), and alcohol or drug counselling (Z71.4-Z71.5). This service
 * keeps no consent, so they are always withheld.
 */
const SENSITIVE = /^(F|B2[0-4]|Z21|Z717|O0[0-8]|Z332|Z714|Z715)/;

export function isSensitiveDiagnosis(code: string): boolean {
  return SENSITIVE.test(code.trim().toUpperCase().replace(/\./g, ''));
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export interface BriefingFacts {
  referralId: string;
  reasonForBriefing: { system: string; code: string } | null;
  reconciliation: Reconciliation | undefined;
  /** Latest first. */
  episodes: EpisodeFacts[];
  followUps: FollowUp[];
  now: Date;
}

/** Assembles the packet: the latest reconciliation, conditions from discharge diagnoses (de-duplicated), recent encounters. */
export function assembleBriefing(facts: BriefingFacts): BriefingPacket {
  const conditions = new Map<string, BriefingCondition>();
  const withheld = new Set<string>();
  for (const episode of facts.episodes) {
    const seenAt = iso(episode.dischargedAt ?? episode.admittedAt);
    for (const diagnosis of episode.diagnoses) {
      const key = diagnosis.code.trim().toUpperCase().replace(/\./g, '');
      if (isSensitiveDiagnosis(key)) {
        withheld.add(key);
        continue;
      }
      const known = conditions.get(key);
      if (known) {
        known.episodes += 1;
        if (seenAt !== null && (known.lastSeenAt === null || seenAt > known.lastSeenAt)) {
          known.lastSeenAt = seenAt;
        }
      } else {
        conditions.set(key, { code: diagnosis.code, codingSystem: diagnosis.codingSystem, lastSeenAt: seenAt, episodes: 1 });
      }
    }
  }
  const reconciliation = facts.reconciliation;
  return {
    referralId: facts.referralId,
    assembledAt: facts.now.toISOString(),
    reasonForBriefing: facts.reasonForBriefing,
    medications: reconciliation
      ? {
          reconciledAt: reconciliation.reconciledAt.toISOString(),
          homeMedications: reconciliation.homeMedications,
          startedInHospital: reconciliation.startedInHospital,
          stopped: reconciliation.stopped,
          changed: reconciliation.changed,
          discrepancies: reconciliation.discrepancies,
        }
      : null,
    conditions: [...conditions.values()].sort((a, b) => (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? '') || a.code.localeCompare(b.code)),
    withheldConditions: withheld.size,
    recentEncounters: facts.episodes.map((episode) => ({
      episodeId: episode.correlationId,
      facility: episode.facility,
      patientClass: episode.patientClass,
      admittedAt: iso(episode.admittedAt),
      dischargedAt: iso(episode.dischargedAt),
      disposition: episode.disposition,
      dischargeCancelled: episode.dischargeCancelledAt !== null,
    })),
    pharmacistFollowUps: facts.followUps.map((followUp) => ({
      outcome: followUp.outcome,
      completedAt: followUp.completedAt.toISOString(),
      withinWindow: followUp.withinWindow,
    })),
  };
}
