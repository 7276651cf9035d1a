import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EncounterPatient } from '@sc/contracts';
import { RosterRepository, type MatchCandidates, type RosterPatient } from '../roster/roster.repository';
import { AUTO_MATCH_SCORE, REVIEW_THRESHOLD, demographicScore } from './demographic-score';

export type MatchResult =
  | { kind: 'matched'; patient: RosterPatient; method: 'identifier' | 'demographic'; score: number }
  | { kind: 'ambiguous'; reason: string; candidates: Array<{ patientId: string; score: number }> }
  | { kind: 'unrostered' };

/**
 * Finds the roster patient an encounter is about. Identifiers decide when they can; a demographic
 * match attaches only when it is perfect and unique; anything in between goes to identity review,
 * so work never silently lands on the wrong patient.
 */
@Injectable()
export class PatientMatcher {
  constructor(private readonly roster: RosterRepository) {}

  /** The match of each patient, in order, from one read of the roster. */
  async matchAll(manager: EntityManager, patients: readonly EncounterPatient[]): Promise<MatchResult[]> {
    if (patients.length === 0) {
      return [];
    }
    const candidates = await this.roster.findMatchCandidates(manager, patients);
    return patients.map((patient, index) => matchOf(patient, candidates[index]));
  }
}

function matchOf(patient: EncounterPatient, { byIdentifier, byDemographics }: MatchCandidates): MatchResult {
  if (byIdentifier.length === 1) {
    return { kind: 'matched', patient: byIdentifier[0], method: 'identifier', score: 1 };
  }
  if (byIdentifier.length > 1) {
    return {
      kind: 'ambiguous',
      reason: 'identifiers belong to different roster patients',
      candidates: byIdentifier.map((candidate) => ({ patientId: candidate.id, score: 1 })),
    };
  }
  if (!patient.birthDate) {
    return { kind: 'unrostered' };
  }
  const scored = byDemographics
    .map((candidate) => ({ candidate, score: demographicScore(patient, candidate) }))
    .filter((entry) => entry.score >= REVIEW_THRESHOLD)
    .sort((a, b) => b.score - a.score);
  if (scored.length === 0) {
    return { kind: 'unrostered' };
  }
  if (scored.length === 1 && scored[0].score >= AUTO_MATCH_SCORE) {
    return { kind: 'matched', patient: scored[0].candidate, method: 'demographic', score: scored[0].score };
  }
  return {
    kind: 'ambiguous',
    reason: scored.length > 1 ? 'several roster patients match the demographics' : 'partial demographic match',
    candidates: scored.map((entry) => ({ patientId: entry.candidate.id, score: entry.score })),
  };
}
