import fc from 'fast-check';
import { parseHl7 } from '@sc/hl7';
import { CORPUS_TIME_ZONES } from '../__fixtures__/corpus';
import { mutatedMessage, seedMessage } from '../__fixtures__/hl7-mutations';
import { acknowledge } from './acknowledgments';
import { encounterEnvelope } from './encounter-event.mapper';
import { readInbound, type InboundSettings } from './inbound-message';

const SETTINGS: InboundSettings = {
  facilityTimeZones: CORPUS_TIME_ZONES,
  defaultTimeZone: 'UTC',
  receiverProcessingId: 'P',
  patientRefKey: 'test-key-test-key-test-key-test-key',
  enhancedFacilities: ['ENH'],
};

const SSNS = ['123-45-6789', '987654321', '555-12-3456'];
const ACK_CODES = ['AA', 'AE', 'AR', 'CA', 'CE', 'CR'];

describe(`${readInbound.name} (property)`, () => {
  it('reads or refuses 10,000 generated and mutated messages without throwing, and always has a parseable acknowledgment', () => {
    fc.assert(
      fc.property(mutatedMessage, (bytes) => {
        const inbound = readInbound(bytes, 'mllp', SETTINGS);
        expect(inbound.masked).not.toContain('\u0000');
        const verdict = inbound.kind === 'accepted' ? { kind: 'accepted' as const } : { kind: 'refused' as const, error: inbound.error, kept: true };
        const acks = acknowledge(inbound.kind === 'accepted' ? inbound.message : inbound.header, inbound.kind === 'accepted' ? '' : inbound.text, inbound.mode, verdict);
        for (const ack of [acks.ack, acks.applicationAck]) {
          if (ack !== null) {
            expect(ACK_CODES).toContain(parseHl7(ack).get('MSA-1'));
          }
        }
        if (inbound.kind === 'accepted') {
          const event = encounterEnvelope(inbound.adt, { id: '0b3f2c7e-1d4a-4b5c-9e8f-112233445566', subject: inbound.subject, sendingFacility: inbound.sendingFacility });
          expect(Date.parse(event.occurredAt)).not.toBeNaN();
          expect(inbound.controlId.length).toBeLessThanOrEqual(199);
        } else {
          expect(inbound.error.hl7?.code).toBeGreaterThanOrEqual(100);
          const naks = [acks.ack, acks.applicationAck].filter((ack): ack is string => ack !== null && !['AA', 'CA'].includes(parseHl7(ack).get('MSA-1') ?? ''));
          // Enhanced mode may have asked not to hear about errors (MSH-15/16 NE or SU).
          expect(naks.length > 0 || inbound.mode.kind === 'enhanced').toBe(true);
          for (const nak of naks) {
            // The code's table: ERR-3 from v2.5, the fourth component of ERR-1 before.
            const err = parseHl7(nak).segment('ERR');
            expect(err?.get(3, 3) ?? err?.get(1, 4, 3)).toBe('HL70357');
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('never lets an SSN from PID-19 or an SS identifier into what it stores or publishes', () => {
    fc.assert(
      fc.property(seedMessage, (bytes) => {
        const inbound = readInbound(bytes, 'mllp', SETTINGS);
        const published = inbound.kind === 'accepted' ? JSON.stringify(encounterEnvelope(inbound.adt, { id: '0b3f2c7e-1d4a-4b5c-9e8f-112233445566', subject: inbound.subject, sendingFacility: inbound.sendingFacility })) : '';
        for (const ssn of SSNS) {
          expect(inbound.masked).not.toContain(ssn);
          expect(published).not.toContain(ssn);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
