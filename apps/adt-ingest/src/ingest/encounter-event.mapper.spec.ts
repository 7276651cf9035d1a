import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHl7, readAdt } from '@sc/hl7';
import type { EncounterEventData } from '@sc/contracts';
import { encounterEnvelope, patientReference } from './encounter-event.mapper';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../../libs/hl7/src/__fixtures__', name), 'utf8');
const KEY = 'test-key-test-key-test-key-test-key';

describe(encounterEnvelope.name, () => {
  const discharge = readAdt(parseHl7(fixture('jason-a03-discharge.hl7')));
  const toEncounterEvent = (adt: typeof discharge, key: string) => {
    const subject = patientReference(adt.patient.identifiers, 'LGH', key);
    return { subject, envelope: encounterEnvelope(adt, { id: '7d1c0c52-5a0e-4d43-9a55-0d8f1c2b7a10', subject, sendingFacility: 'LGH' }) };
  };

  it('maps an A03 to encounter.discharged with the clinical discharge time (PV1-45) as occurredAt', () => {
    const { envelope } = toEncounterEvent(discharge, KEY);
    expect(envelope.type).toBe('encounter.discharged');
    expect(envelope.occurredAt).toBe('2026-11-20T20:25:00.000Z');
    expect(envelope.correlationId).toBe('enc:LGH:LGH-V99001');
    expect(envelope.source).toBe('adt-ingest');
  });

  it.each(['SPA', 'spa', 'es', 'Spanish', 'SPA^Spanish^ISO639', '^Spanish'])('publishes PID-15 sent as %s as the canonical code es', (language) => {
    const text = fixture('jason-a03-discharge.hl7').replace('ENG^English^ISO639', language);
    expect((toEncounterEvent(readAdt(parseHl7(text)), KEY).envelope.data as EncounterEventData).patient.primaryLanguage).toBe('es');
  });

  it('publishes a PID-15 no ISO 639 table names as sent', () => {
    const text = fixture('jason-a03-discharge.hl7').replace('ENG^English^ISO639', 'HMN^Hmong^L');
    expect((toEncounterEvent(readAdt(parseHl7(text)), KEY).envelope.data as EncounterEventData).patient.primaryLanguage).toBe('hmn');
  });

  it('keys the event by a stable pseudonymous patient reference, the same for admission and discharge', () => {
    const admission = readAdt(parseHl7(fixture('jason-a01-admit.hl7')));
    const fromDischarge = toEncounterEvent(discharge, KEY).subject;
    expect(toEncounterEvent(admission, KEY).subject).toBe(fromDischarge);
    expect(fromDischarge).toMatch(/^pt-[0-9a-f]{32}$/);
    expect(fromDischarge).not.toContain('00482913');
  });

  it('carries identifiers, diagnoses and coverage but never the SSN, address or phone', () => {
    const { envelope } = toEncounterEvent(discharge, KEY);
    const json = JSON.stringify(envelope);
    expect(json).not.toContain('123-45-6789');
    expect(json).not.toContain('6789');
    expect(json).not.toContain('ELM ST');
    expect(json).not.toContain('5550142');
    expect(envelope.data).toMatchObject({
      patient: { identifiers: [{ value: '00482913', authority: 'LGH', type: 'MR' }, { value: 'NSH778812345', authority: 'NSHP', type: 'MB' }] },
      coverage: [{ planId: 'NSHP-GOLD', memberId: 'NSH778812345' }],
    });
    expect((envelope.data as { diagnoses: Array<{ code: string }> }).diagnoses.map((diagnosis) => diagnosis.code)).toEqual(['I25.10', 'M06.9', 'Z95.1']);
  });
});
