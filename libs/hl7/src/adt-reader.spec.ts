import { adtMessage, fixture, segment, type AdtParts } from './__fixtures__/er7.factory';
import { readAdt, type AdtReadOptions } from './adt-reader';
import { Hl7ErrorCode, Hl7ParseError } from './errors';
import { parseHl7 } from './message';

const read = (parts: AdtParts = {}, options: AdtReadOptions = {}) => readAdt(parseHl7(adtMessage(parts)), options);

function readError(parts: AdtParts): Hl7ParseError {
  try {
    read(parts);
  } catch (error) {
    if (error instanceof Hl7ParseError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an Hl7ParseError');
}

describe(readAdt.name, () => {
  describe('the shared fixtures', () => {
    it('reads the A03 discharge', () => {
      const adt = readAdt(parseHl7(fixture('jason-a03-discharge')));

      expect(adt).toEqual({
        messageType: 'ADT',
        triggerEvent: 'A03',
        structure: 'ADT_A03',
        controlId: 'LGH000177',
        processingId: 'P',
        version: '2.5.1',
        sendingApplication: 'EPICADT',
        sendingFacility: 'LGH',
        receivingApplication: 'SYNCCARE',
        receivingFacility: 'SYNCCARE',
        messageTime: '2026-11-20T20:31:00.000Z',
        acceptAckType: 'AL',
        applicationAckType: 'NE',
        eventRecordedTime: '2026-11-20T20:31:00.000Z',
        eventOccurredTime: '2026-11-20T20:25:00.000Z',
        clinicalTime: '2026-11-20T20:25:00.000Z',
        clinicalTimeSource: 'PV1-45',
        timeZone: 'UTC',
        patient: {
          identifiers: [
            { id: '00482913', assigningAuthority: 'LGH', identifierType: 'MR' },
            { id: 'NSH778812345', assigningAuthority: 'NSHP', identifierType: 'MB' },
          ],
          name: { family: 'RIVERA', given: 'JASON', middle: 'M' },
          birthDate: '1968-04-12',
          sex: 'M',
          primaryLanguage: 'ENG^English^ISO639',
          address: { street: '1450 ELM ST', city: 'SPRINGFIELD', state: 'IL', zip: '62704', country: 'USA' },
          phone: '+1 217 5550142',
          ssnPresent: true,
        },
        visit: {
          patientClass: 'I',
          location: { pointOfCare: 'CARD', room: '412', bed: 'B', facility: 'LGH' },
          attending: { id: '10234', family: 'NGUYEN', given: 'ANH' },
          visitNumber: 'LGH-V99001',
          admitTime: '2026-11-17T14:30:00.000Z',
          dischargeTime: '2026-11-20T20:25:00.000Z',
          dischargeDisposition: '01',
        },
        diagnoses: [
          { code: 'I25.10', text: 'Atherosclerotic heart disease of native coronary artery without angina pectoris', codingSystem: 'I10', type: 'F' },
          { code: 'M06.9', text: 'Rheumatoid arthritis, unspecified', codingSystem: 'I10', type: 'F' },
          { code: 'Z95.1', text: 'Presence of aortocoronary bypass graft', codingSystem: 'I10', type: 'F' },
        ],
        insurance: [{ planId: 'NSHP-GOLD', planName: 'Northstar Gold PPO', companyId: 'NSHP', memberId: 'NSH778812345' }],
        allergies: [],
      });
    });

    it('never copies the SSN', () => {
      const adt = readAdt(parseHl7(fixture('jason-a03-discharge')));

      expect(JSON.stringify(adt)).not.toContain('6789');
    });

    it('reads the A01 admit with the event time as clinical time', () => {
      const adt = readAdt(parseHl7(fixture('jason-a01-admit')));

      expect(adt).toMatchObject({ triggerEvent: 'A01', clinicalTime: '2026-11-17T14:30:00.000Z', clinicalTimeSource: 'EVN-6' });
      expect(adt.diagnoses).toEqual([expect.objectContaining({ code: 'I25.10', type: 'A' })]);
      expect(adt.insurance[0].memberId).toBe('NSH778812345');
    });

    it('reads the A13 cancel discharge, whose MSH has no acknowledgment fields', () => {
      const adt = readAdt(parseHl7(fixture('jason-a13-cancel-discharge')));

      expect(adt).toMatchObject({ triggerEvent: 'A13', structure: 'ADT_A01', clinicalTimeSource: 'EVN-6', acceptAckType: undefined });
      expect(adt.patient.ssnPresent).toBe(true);
    });
  });

  describe('identifiers', () => {
    it('keeps every PID-3 repetition except SSNs, and flags that an SSN was there', () => {
      const adt = read({ pid: { 3: 'MRN1^^^LGH^MR~123456789^^^SSA^SS~ENT9^^^&1.2.3&ISO^PI', 19: undefined } });

      expect(adt.patient.identifiers).toEqual([
        { id: 'MRN1', assigningAuthority: 'LGH', identifierType: 'MR' },
        { id: 'ENT9', assigningAuthority: '1.2.3', identifierType: 'PI' },
      ]);
      expect(adt.patient.ssnPresent).toBe(true);
      expect(JSON.stringify(adt)).not.toContain('123456789');
    });

    it('says no SSN when neither PID-19 nor an SS identifier is sent', () => {
      expect(read({ pid: { 19: '""' } }).patient.ssnPresent).toBe(false);
    });

    it('reads the prior identifiers and visit of an A40 merge', () => {
      const adt = read({
        msh: { 9: 'ADT^A40^ADT_A39' },
        evn: { 1: 'A40', 6: undefined },
        without: ['PV1'],
        segments: [segment('MRG', { 1: 'OLD1^^^LGH^MR~999887777^^^SSA^SS~OLD2^^^NSHP^MB', 5: 'V-OLD' })],
      });

      expect(adt.merge).toEqual({
        priorIdentifiers: [
          { id: 'OLD1', assigningAuthority: 'LGH', identifierType: 'MR' },
          { id: 'OLD2', assigningAuthority: 'NSHP', identifierType: 'MB' },
        ],
        priorVisitNumber: 'V-OLD',
      });
      expect(adt.visit).toBeUndefined();
      expect(adt.clinicalTimeSource).toBe('EVN-2');
    });
  });

  describe('patient details', () => {
    it('prefers the legal name and the home address', () => {
      const adt = read({ pid: { 5: 'SMITH^J^^^^^A~DOE^JANE^^^^^L', 11: 'PO BOX 1^^X^^^^M~2 MAIN ST^APT 3^CITY^ST^11111^USA^H' } });

      expect(adt.patient.name).toEqual({ family: 'DOE', given: 'JANE' });
      expect(adt.patient.address).toEqual({ street: '2 MAIN ST', otherDesignation: 'APT 3', city: 'CITY', state: 'ST', zip: '11111', country: 'USA' });
    });

    it('reads the pre-v2.5 formatted phone number', () => {
      expect(read({ pid: { 13: '(217)555-0142^PRN^PH' } }).patient.phone).toBe('(217)555-0142');
    });

    it('reads death date/time and indicator', () => {
      const adt = read({ pid: { 29: '20261120101500-0600', 30: 'Y' } });

      expect(adt.patient).toMatchObject({ deathDateTime: '2026-11-20T16:15:00.000Z', deathIndicator: true });
      expect(read({ pid: { 30: 'N' } }).patient.deathIndicator).toBe(false);
    });

    it('treats the HL7 null "" as absent', () => {
      const adt = read({ pid: { 5: '""^""', 8: '""' } });

      expect(adt.patient.name).toBeUndefined();
      expect(adt.patient.sex).toBeUndefined();
    });
  });

  describe('visit, diagnoses, insurance and allergies', () => {
    it('reads discharge disposition and destination', () => {
      expect(read({ pv1: { 36: '03', 37: 'SNF-12^20261120' } }).visit).toMatchObject({ dischargeDisposition: '03', dischargedToLocation: 'SNF-12' });
    });

    it('takes the diagnosis text from DG1-4 when DG1-3 has none', () => {
      const adt = read({ segments: [segment('DG1', { 1: '1', 3: '250.00^^I9', 4: 'DIABETES', 6: 'W' })] });

      expect(adt.diagnoses).toEqual([{ code: '250.00', text: 'DIABETES', codingSystem: 'I9', type: 'W' }]);
    });

    it("falls back to the insured's ID (IN1-49) when there is no policy number", () => {
      const adt = read({ segments: [segment('IN1', { 1: '1', 2: 'PLAN^Name', 3: 'CO1', 4: 'Insurer Inc', 49: 'MEMBER7^^^CO1' })] });

      expect(adt.insurance).toEqual([{ planId: 'PLAN', planName: 'Name', companyId: 'CO1', companyName: 'Insurer Inc', memberId: 'MEMBER7' }]);
    });

    it('reads allergies with every reaction', () => {
      const adt = read({ segments: [segment('AL1', { 1: '1', 2: 'DA', 3: '7980^Penicillin^RXNORM', 4: 'SV', 5: 'HIVES~WHEEZING' })] });

      expect(adt.allergies).toEqual([{ type: 'DA', code: '7980', text: 'Penicillin', severity: 'SV', reactions: ['HIVES', 'WHEEZING'] }]);
    });
  });

  describe('times', () => {
    const local = { msh: { 7: '20261120143100' }, evn: { 2: '20261120143100', 6: undefined }, pv1: { 44: '20260308023000', 45: undefined } };

    it("reads times without an offset in the sending facility's zone", () => {
      const adt = read(local, { facilityTimeZones: { LGH: 'America/Chicago' }, defaultTimeZone: 'Europe/Paris' });

      expect(adt).toMatchObject({ timeZone: 'America/Chicago', messageTime: '2026-11-20T20:31:00.000Z' });
      expect(adt.visit?.admitTime).toBe('2026-03-08T07:30:00.000Z');
    });

    it('falls back to the default zone, then UTC', () => {
      expect(read(local, { facilityTimeZones: { OTHER: 'America/Chicago' }, defaultTimeZone: 'Europe/Paris' }).messageTime).toBe('2026-11-20T13:31:00.000Z');
      expect(read(local).messageTime).toBe('2026-11-20T14:31:00.000Z');
    });

    it('takes the clinical time of an A03 from PV1-45, then EVN-6, EVN-2 and MSH-7', () => {
      expect(read().clinicalTimeSource).toBe('PV1-45');
      expect(read({ pv1: { 45: undefined } }).clinicalTimeSource).toBe('EVN-6');
      expect(read({ pv1: { 45: undefined }, evn: { 6: undefined } }).clinicalTimeSource).toBe('EVN-2');
      expect(read({ pv1: { 45: undefined }, without: ['EVN'] })).toMatchObject({ clinicalTime: '2026-11-20T20:31:00.000Z', clinicalTimeSource: 'MSH-7' });
    });

    it('ignores PV1-45 for the clinical time of other events', () => {
      expect(read({ msh: { 9: 'ADT^A08' }, evn: { 1: 'A08', 6: undefined } }).clinicalTimeSource).toBe('EVN-2');
    });

    it('names the segment and field of a bad timestamp, without its value', () => {
      const error = readError({ pv1: { 45: '2026-11-20 14:25' } });

      expect(error).toMatchObject({ code: Hl7ErrorCode.DataTypeError, segment: 'PV1', sequence: 1, field: 45 });
      expect(error.message).not.toContain('2026');
    });

    it('rejects an impossible birth date with 102', () => {
      expect(readError({ pid: { 7: '19680231' } })).toMatchObject({ code: Hl7ErrorCode.DataTypeError, segment: 'PID', field: 7 });
    });
  });

  describe('validation', () => {
    it.each([
      ['MSH-7', { msh: { 7: undefined } }, 'MSH', 7],
      ['MSH-9', { msh: { 9: undefined } }, 'MSH', 9],
      ['MSH-10', { msh: { 10: undefined } }, 'MSH', 10],
      ['MSH-11', { msh: { 11: undefined } }, 'MSH', 11],
      ['MSH-12', { msh: { 12: undefined } }, 'MSH', 12],
      ['PID-3', { pid: { 3: undefined } }, 'PID', 3],
      ['PID-3 other than an SSN', { pid: { 3: '123456789^^^SSA^SS' } }, 'PID', 3],
      ['PID-3 with an empty ID', { pid: { 3: '^^^LGH^MR' } }, 'PID', 3],
    ] satisfies Array<[string, AdtParts, string, number]>)('rejects a missing %s with 101', (_name, parts, segmentId, field) => {
      expect(readError(parts)).toMatchObject({ code: Hl7ErrorCode.RequiredFieldMissing, segment: segmentId, field });
    });

    it('rejects a message without a trigger event in MSH-9.2 or EVN-1 with 101', () => {
      expect(readError({ msh: { 9: 'ADT' }, evn: { 1: undefined } })).toMatchObject({ code: Hl7ErrorCode.RequiredFieldMissing, field: 9, component: 2 });
    });

    it('takes the trigger event from EVN-1 when MSH-9.2 is empty', () => {
      expect(read({ msh: { 9: 'ADT' }, evn: { 1: 'A03' } }).triggerEvent).toBe('A03');
    });

    it.each([
      ['PID', { without: ['PID'] }],
      ['PV1', { without: ['PV1'] }],
      ['MRG', { msh: { 9: 'ADT^A40' }, without: ['PV1'] }],
    ] satisfies Array<[string, AdtParts]>)('rejects a message without a required %s segment with 100', (segmentId, parts) => {
      expect(readError(parts)).toMatchObject({ code: Hl7ErrorCode.SegmentSequenceError, segment: segmentId });
    });

    it.each([
      ['a non-ADT message', { msh: { 9: 'ORU^R01' } }, Hl7ErrorCode.UnsupportedMessageType],
      ['an unsupported trigger event', { msh: { 9: 'ADT^A28' } }, Hl7ErrorCode.UnsupportedEventCode],
      ['an unknown processing id', { msh: { 11: 'X' } }, Hl7ErrorCode.UnsupportedProcessingId],
      ['version 2.2', { msh: { 12: '2.2' } }, Hl7ErrorCode.UnsupportedVersionId],
      ['version 2.9', { msh: { 12: '2.9' } }, Hl7ErrorCode.UnsupportedVersionId],
      ['an unknown accept acknowledgment type', { msh: { 15: 'XX' } }, Hl7ErrorCode.TableValueNotFound],
      ['an unknown death indicator', { pid: { 30: 'maybe' } }, Hl7ErrorCode.TableValueNotFound],
    ] satisfies Array<[string, AdtParts, Hl7ErrorCode]>)('rejects %s', (_name, parts, code) => {
      expect(readError(parts).code).toBe(code);
    });

    it.each(['2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.2'])('accepts version %s', (version) => {
      expect(read({ msh: { 12: version } }).version).toBe(version);
    });

    it.each(['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A11', 'A12', 'A13'])('accepts %s', (event) => {
      expect(read({ msh: { 9: `ADT^${event}` }, evn: { 1: event } }).triggerEvent).toBe(event);
    });
  });
});
