import { parseHl7, readAdt } from '@sc/hl7';
import { applyTrigger, createPatients, nextTrigger, renderAdt, seededRandom } from './synthetic-hospital';

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
});
