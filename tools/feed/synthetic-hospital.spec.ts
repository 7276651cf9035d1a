import { parseHl7, readAdt } from '@sc/hl7';
import { FeedStream, feedPatients } from './feed-engine';
import { DEFAULT_FACILITIES, FEED_MIXES, type FeedMix } from './feed-mix';
import { PARTICIPATING_PLAN, applyTrigger, createPatients, nextTrigger, renderAdt, seededRandom, type FeedTrigger } from './synthetic-hospital';

const facilities = [
  { id: 'LGH', timeZone: 'America/Chicago', sendsOffsets: true },
  { id: 'NSH', timeZone: 'America/New_York', sendsOffsets: false },
  { id: 'MVM', timeZone: 'America/Denver', sendsOffsets: false },
];

describe('synthetic hospital feed', () => {
  it('renders messages the real parser reads, with the same clinical time whether or not the facility sends offsets', () => {
    const random = seededRandom(7);
    const patients = createPatients(3, facilities, 1, random);
    const now = new Date('2026-11-22T15:30:00.000Z');
    for (const patient of patients) {
      applyTrigger(patient, 'A01');
      const adt = readAdt(parseHl7(renderAdt(patient, 'A03', `C-${patient.mrn}`, now, random)), {
        facilityTimeZones: Object.fromEntries(facilities.map((facility) => [facility.id, facility.timeZone])),
      });
      expect(adt.triggerEvent).toBe('A03');
      expect(adt.clinicalTime).toBe('2026-11-22T15:30:00.000Z');
      expect(adt.patient.identifiers[0]).toMatchObject({ id: patient.mrn, assigningAuthority: patient.facility.id, identifierType: 'MR' });
      expect(adt.visit?.visitNumber).toBe(`${patient.facility.id}-V${patient.mrn}-1`);
    }
  });

  it('keeps each patient’s encounter plausible whatever event the mix asks for', () => {
    const [patient] = createPatients(1, facilities, 0, seededRandom(1));
    expect(nextTrigger(patient, 'A03')).toBe('A01');
    applyTrigger(patient, 'A01');
    expect(nextTrigger(patient, 'A13')).toBe('A03');
    applyTrigger(patient, 'A03');
    expect(nextTrigger(patient, 'A02')).toBe('A01');
    expect(nextTrigger(patient, 'A13')).toBe('A13');
  });

  it('is deterministic for a seed', () => {
    expect(createPatients(5, facilities, 0.5, seededRandom(3))).toEqual(createPatients(5, facilities, 0.5, seededRandom(3)));
  });

  it('has each patient covered by a plan, the participating one exactly when attributed', () => {
    const random = seededRandom(5);
    const patients = createPatients(200, facilities, 0.3, random);
    for (const patient of patients) {
      applyTrigger(patient, 'A01');
      const adt = readAdt(parseHl7(renderAdt(patient, 'A08', `C-${patient.mrn}`, new Date('2026-11-22T15:30:00.000Z'), random)));
      expect(adt.insurance).toHaveLength(1);
      expect(adt.insurance[0].planId === PARTICIPATING_PLAN).toBe(patient.rostered);
      expect(adt.insurance[0].memberId).toBe(`M${patient.mrn}`);
    }
  });
});

describe('feed mixes', () => {
  const play = (mix: FeedMix, messages: number): { patients: ReturnType<typeof feedPatients>; counts: Record<string, number>; visits: Set<string> } => {
    const patients = feedPatients({ patients: 4000, facilities: DEFAULT_FACILITIES, rosterShare: mix.attributedShare, seed: 11, censusShare: mix.censusShare });
    const stream = new FeedStream(patients, mix.events, seededRandom(12), mix.plausibleEncounters);
    const counts: Record<string, number> = {};
    const visits = new Set<string>();
    for (let index = 0; index < messages; index += 1) {
      const { patient, trigger } = stream.next();
      counts[trigger] = (counts[trigger] ?? 0) + 1;
      visits.add(`${patient.mrn}-${patient.visitSeq}`);
    }
    return { patients, counts, visits };
  };

  it('sends the realistic mix’s declared event shares, A08 the most frequent, from four facilities with 30% of patients attributed', () => {
    const mix = FEED_MIXES.realistic;
    expect(Object.values(mix.events).reduce((sum, share) => sum + share, 0)).toBe(100);
    const messages = 40_000;
    const { patients, counts } = play(mix, messages);
    for (const [trigger, share] of Object.entries(mix.events) as Array<[FeedTrigger, number]>) {
      expect(Math.abs(((counts[trigger] ?? 0) / messages) * 100 - share)).toBeLessThan(1.5);
    }
    expect(Math.max(...Object.values(counts))).toBe(counts.A08);
    expect(Math.abs(patients.filter((patient) => patient.rostered).length / patients.length - 0.3)).toBeLessThan(0.03);
    expect(new Set(patients.map((patient) => patient.facility.id)).size).toBe(4);
  });

  it('in the worst case attributes every patient and makes every message the discharge of a visit of its own', () => {
    const { patients, counts, visits } = play(FEED_MIXES.worst, 5000);
    expect(counts).toEqual({ A03: 5000 });
    expect(visits.size).toBe(5000);
    expect(patients.every((patient) => patient.rostered && patient.planId === PARTICIPATING_PLAN)).toBe(true);
  });
});
