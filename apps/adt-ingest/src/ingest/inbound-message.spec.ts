import { parseHl7 } from '@sc/hl7';
import { adt } from '../__fixtures__/adt-builder';
import { CORPUS_TIME_ZONES, REFUSED_CASES, TIME_CASES, TRIGGER_CASES, VENDOR_CASES } from '../__fixtures__/corpus';
import { hl7RefusalFor } from '../errors/ingest-error.hl7';
import { acknowledge } from './acknowledgments';
import { encounterEnvelope } from './encounter-event.mapper';
import { contentHashOf, readInbound, type AcceptedInbound, type InboundSettings, type RefusedInbound } from './inbound-message';

const SETTINGS: InboundSettings = {
  facilityTimeZones: CORPUS_TIME_ZONES,
  defaultTimeZone: 'UTC',
  receiverProcessingId: 'P',
  patientRefKey: 'test-key-test-key-test-key-test-key',
  enhancedFacilities: ['ENH'],
};

function accepted(bytes: Buffer): AcceptedInbound {
  const inbound = readInbound(bytes, 'mllp', SETTINGS);
  if (inbound.kind !== 'accepted') {
    throw new Error(`expected the message to be accepted, got ${inbound.error.message}`);
  }
  return inbound;
}

function refused(bytes: Buffer): RefusedInbound {
  const inbound = readInbound(bytes, 'mllp', SETTINGS);
  if (inbound.kind !== 'refused') {
    throw new Error('expected the message to be refused');
  }
  return inbound;
}

describe(readInbound.name, () => {
  describe.each([...VENDOR_CASES, ...TRIGGER_CASES].map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const inbound = accepted(entry.bytes);
    const event = encounterEnvelope(inbound.adt, { id: '2d0b6f7e-3c1a-4d55-8b7e-0a1b2c3d4e5f', subject: inbound.subject, sendingFacility: inbound.sendingFacility });

    it('reads the header, the clinical time and the episode', () => {
      expect([inbound.sendingFacility, inbound.controlId]).toEqual([entry.accepted.facility, entry.accepted.controlId]);
      expect(event.type).toBe(entry.accepted.eventType);
      expect(event.occurredAt).toBe(entry.accepted.occurredAt);
      expect(event.correlationId).toBe(entry.accepted.correlationId);
    });

    it('maps the fields consumers need', () => {
      expect(event.data).toMatchObject(entry.accepted.data ?? {});
    });

    it('keeps SSNs out of what it stores and publishes', () => {
      const json = JSON.stringify(event);
      expect(json).not.toMatch(/\bSS\b|SSA/);
      if (entry.accepted.secret) {
        expect(inbound.masked).not.toContain(entry.accepted.secret);
        expect(json).not.toContain(entry.accepted.secret);
        expect(inbound.masked).toContain('***-**-****');
      }
    });
  });

  it.each(TIME_CASES.map((entry) => [entry.name, entry] as const))('clinical time: %s', (_name, entry) => {
    expect(accepted(entry.bytes).adt.clinicalTime).toBe(entry.occurredAt);
  });

  describe.each(REFUSED_CASES.map((entry) => [entry.name, entry] as const))('refuses %s', (_name, entry) => {
    const inbound = refused(entry.bytes);

    it('with the table 0357 code and the location of the error', () => {
      expect(inbound.error.hl7?.code).toBe(entry.refused.code);
      expect(inbound.error.hl7?.location.segment).toBe(entry.refused.segment);
      expect(inbound.error.hl7?.location.field).toBe(entry.refused.field);
      expect(hl7RefusalFor(inbound.error).original).toBe(entry.refused.ack);
    });

    it('with a NAK whose ERR names segment, field and code', () => {
      const nak = parseHl7(acknowledge(inbound.header, inbound.text, inbound.mode, { kind: 'refused', error: inbound.error, kept: true }).ack ?? '');
      expect(nak.get('MSA-1')).toBe(entry.refused.ack);
      expect(nak.get('ERR-3.1')).toBe(String(entry.refused.code));
      expect(nak.get('ERR-3.3')).toBe('HL70357');
      if (entry.refused.segment) {
        expect(nak.get('ERR-2.1')).toBe(entry.refused.segment);
      }
      if (entry.refused.field) {
        expect(nak.get('ERR-2.3')).toBe(String(entry.refused.field));
      }
    });

    it('keeps a storable copy without NUL characters', () => {
      expect(inbound.masked).not.toContain('\u0000');
    });
  });

  it('reads AL1 allergies, the address and the phone of the Epic-style A01, and publishes none of them (minimum necessary)', () => {
    const inbound = accepted(VENDOR_CASES[0].bytes);
    const event = JSON.stringify(encounterEnvelope(inbound.adt, { id: '2d0b6f7e-3c1a-4d55-8b7e-0a1b2c3d4e5f', subject: inbound.subject, sendingFacility: inbound.sendingFacility }));

    expect(inbound.adt.allergies).toEqual([{ type: 'DA', code: '7980', text: 'Penicillin G', severity: 'SV', reactions: ['Hives', 'Wheezing'] }]);
    expect(inbound.adt.patient).toMatchObject({ address: { street: '88 BIRCH LN', city: 'SPRINGFIELD', zip: '62701' }, phone: '+1 217 5550177', ssnPresent: true });
    for (const text of ['Penicillin', 'BIRCH', '5550177']) {
      expect(event).not.toContain(text);
    }
  });

  it('hashes the same message the same whatever its line endings', () => {
    const message = adt({ trigger: 'A01', controlId: 'H1' });

    expect(contentHashOf(message.replace(/\r/g, '\n'))).toBe(contentHashOf(message));
    expect(contentHashOf(message.replace(/\r/g, '\r\n'))).toBe(contentHashOf(message));
    expect(contentHashOf(message.replace('TESTER', 'TESTOR'))).not.toBe(contentHashOf(message));
  });

  it('marks a training or debugging message as creating no work on a production receiver', () => {
    expect(accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'T1', processingId: 'T' }))).production).toBe(false);
    expect(accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'D1', processingId: 'D' }))).production).toBe(false);
    expect(accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'P1' }))).production).toBe(true);
  });

  it('uses enhanced mode only for facilities that agreed to it and asked for it in MSH-15/16', () => {
    const enhanced = accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'E1', facility: 'ENH', ackTypes: ['AL', 'ER'] })));
    const sameAskOtherFacility = accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'E2', ackTypes: ['AL', 'ER'] })));
    const agreedButNotAsked = accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'E3', facility: 'ENH' })));

    expect(enhanced.mode).toEqual({ kind: 'enhanced', accept: 'AL', application: 'ER' });
    expect(sameAskOtherFacility.mode.kind).toBe('original');
    expect(agreedButNotAsked.mode.kind).toBe('original');
  });

  it('hashes the patient identifiers for search and keys the message and the encounter', () => {
    const inbound = accepted(Buffer.from(adt({ trigger: 'A01', controlId: 'K1', mrn: 'M42', visit: 'V42' })));

    expect(inbound.messageKey).toBe('LGH\u0000K1');
    expect(inbound.encounterKey).toBe('LGH\u0000V42');
    expect(inbound.identifierHashes).toHaveLength(2);
    expect(inbound.identifierHashes.join()).not.toContain('M42');
  });
});
