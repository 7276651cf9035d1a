import { adtMessage, er7, fixture, segment } from './__fixtures__/er7.factory';
import { ackErrorFrom, buildAck, buildNakForUnparseable, nakCodeFor } from './ack';
import { Hl7ErrorCode, Hl7ParseError } from './errors';
import { parseHl7 } from './message';

const now = new Date('2026-11-20T20:31:05.123Z');

describe(buildAck.name, () => {
  const original = parseHl7(fixture('jason-a03-discharge'));

  it('acknowledges with sender and receiver swapped, the original control id, version and processing id', () => {
    const ack = buildAck(original, { code: 'AA', controlId: 'ACK0001', now });

    expect(ack).toBe('MSH|^~\\&|SYNCCARE|SYNCCARE|EPICADT|LGH|20261120203105.123+0000||ACK^A03^ACK|ACK0001|P|2.5.1||||||UNICODE UTF-8\rMSA|AA|LGH000177\r');
  });

  it('re-encodes composite MSH fields and escapes every text it writes', () => {
    const message = parseHl7(adtMessage({ msh: { 3: 'EPIC^1.2.3^ISO', 10: 'ID\\F\\1', 11: 'T^I' } }));

    const ack = parseHl7(buildAck(message, { code: 'AE', controlId: 'A|B', text: 'bad ^ value\nsee log', now }));

    expect(ack.get('MSH-5.2')).toBe('1.2.3');
    expect(ack.get('MSH-10')).toBe('A|B');
    expect(ack.get('MSH-11.2')).toBe('I');
    expect(ack.get('MSA-2')).toBe('ID|1');
    expect(ack.get('MSA-3')).toBe('bad ^ value\nsee log');
  });

  it('declares its own MSH-15 and MSH-16 when asked, so an application acknowledgment is not acknowledged back', () => {
    const ack = parseHl7(buildAck(parseHl7(fixture('jason-a03-discharge')), { code: 'AA', controlId: 'APP1', acknowledgmentTypes: { accept: 'NE', application: 'NE' } }));

    expect([ack.get('MSH-15'), ack.get('MSH-16'), ack.get('MSA-1')]).toEqual(['NE', 'NE', 'AA']);
  });

  it('adds an ERR segment in the v2.5 layout', () => {
    const ack = parseHl7(
      buildAck(original, {
        code: 'AE',
        controlId: 'ACK0002',
        now,
        error: { segment: 'PID', sequence: 1, field: 7, code: Hl7ErrorCode.DataTypeError, severity: 'E', diagnostic: 'PID-7: not a date' },
      }),
    );
    const err = ack.segment('ERR');

    expect(err?.get(1)).toBeUndefined();
    expect(err?.field(2).encode(ack.delimiters)).toBe('PID^1^7');
    expect(err?.field(3).encode(ack.delimiters)).toBe('102^Data type error^HL70357');
    expect(err?.get(4)).toBe('E');
    expect(err?.get(7)).toBe('PID-7: not a date');
  });

  it.each([
    ['2.3.1', 'PV1^1^45^102&Data type error&HL70357', undefined, 'PV1-45: not a date'],
    ['2.4', 'PV1^1^45^102&Data type error&HL70357', undefined, 'PV1-45: not a date'],
    ['2.5.1', undefined, '102', undefined],
    ['2.8', undefined, '102', undefined],
  ])('writes the ERR segment of v%s as that version defines it', (version, err1, err3, msa3) => {
    const message = parseHl7(adtMessage({ msh: { 12: version } }));

    const ack = parseHl7(
      buildAck(message, {
        code: 'AE',
        controlId: 'C',
        now,
        error: { segment: 'PV1', sequence: 1, field: 45, code: Hl7ErrorCode.DataTypeError, severity: 'E', diagnostic: 'PV1-45: not a date' },
      }),
    );
    const err = ack.segment('ERR');

    expect(ack.get('MSH-12')).toBe(version);
    expect(err?.field(1).encode(ack.delimiters) || undefined).toBe(err1);
    expect(err?.get(3)).toBe(err3);
    expect(err?.get(7)).toBe(err3 === undefined ? undefined : 'PV1-45: not a date');
    // Before v2.5 ERR ends at ERR-1: strict engines refuse fields their version does not define.
    expect(err?.fieldCount ?? 0).toBeLessThanOrEqual(err1 ? 1 : 7);
    expect(ack.get('MSA-3')).toBe(msa3);
  });

  it('leaves ERR-2 empty when the error has no location', () => {
    const ack = parseHl7(buildAck(original, { code: 'AR', controlId: 'C', now, error: { code: Hl7ErrorCode.ApplicationInternalError, severity: 'F' } }));

    expect(ack.get('ERR-2')).toBeUndefined();
    expect(ack.get('ERR-3')).toBe('207');
    expect(ack.get('ERR-4')).toBe('F');
  });

  it('takes the event from EVN-1 when MSH-9 has none', () => {
    const ack = parseHl7(buildAck(parseHl7(adtMessage({ msh: { 9: 'ADT' }, evn: { 1: 'A08' } })), { code: 'AA', controlId: 'C', now }));

    expect(ack.get('MSH-9.2')).toBe('A08');
  });

  it('uses the ACK^^ACK form when the original has no trigger event', () => {
    const ack = parseHl7(buildAck(parseHl7(er7(segment('MSH', { 9: 'ADT', 10: 'X' }))), { code: 'CA', controlId: 'C', now }));

    expect(ack.segment('MSH')?.field(9).encode(ack.delimiters)).toBe('ACK^^ACK');
    expect(ack.get('MSA-1')).toBe('CA');
  });
});

describe(buildNakForUnparseable.name, () => {
  it('answers garbage with a valid AR using safe defaults', () => {
    const nak = parseHl7(buildNakForUnparseable('\u0000 not hl7 at all', new Error('boom: JOHN SMITH 1968'), { controlId: 'NAK1', now }));

    expect(nak.get('MSH-9')).toBe('ACK');
    expect(nak.get('MSH-10')).toBe('NAK1');
    expect(nak.get('MSH-11')).toBe('P');
    expect(nak.get('MSH-12')).toBe('2.5.1');
    expect(nak.get('MSA-1')).toBe('AR');
    expect(nak.get('MSA-2')).toBeUndefined();
    expect(nak.get('ERR-3')).toBe('207');
    expect(nak.encode()).not.toMatch(/JOHN|SMITH|boom/);
  });

  it('rejects text without a usable MSH with AR', () => {
    let error: unknown;
    try {
      parseHl7('this is not an HL7 message');
    } catch (caught) {
      error = caught;
    }

    const nak = parseHl7(buildNakForUnparseable('this is not an HL7 message', error, { now }));

    expect(nak.get('MSA-1')).toBe('AR');
    expect(nak.get('ERR-3')).toBe('100');
  });

  it('answers a frame whose MSH is readable with its control id and the parse error', () => {
    const raw = `${segment('MSH', { 3: 'EPIC', 9: 'ADT^A01', 10: 'LGH42', 11: 'T', 12: '2.5' })}\rPID|1||X\r\u0007\u0008broken`;
    let error: unknown;
    try {
      parseHl7(raw);
    } catch (caught) {
      error = caught;
    }

    const nak = parseHl7(buildNakForUnparseable(raw, error, { now }));

    expect(nak.get('MSA-1')).toBe('AE');
    expect(nak.get('MSA-2')).toBe('LGH42');
    expect(nak.get('MSH-5')).toBe('EPIC');
    expect(nak.get('MSH-11')).toBe('T');
    expect(nak.get('ERR-3')).toBe('100');
    expect(nak.get('ERR-7')).toContain('segment 3 of the message');
    expect(nak.get('MSH-10')).toMatch(/^[0-9a-f]{20}$/);
  });

  it('takes the acknowledgment code and diagnostic it is given', () => {
    const nak = parseHl7(buildNakForUnparseable('', new Hl7ParseError(Hl7ErrorCode.RequiredFieldMissing), { code: 'CR', diagnostic: 'frame too large', now }));

    expect(nak.get('MSA-1')).toBe('CR');
    expect(nak.get('ERR-7')).toBe('frame too large');
  });
});

describe(nakCodeFor.name, () => {
  it('answers errors in the message body with AE', () => {
    expect(nakCodeFor(Hl7ErrorCode.RequiredFieldMissing, { segment: 'PID', field: 3 })).toBe('AE');
    expect(nakCodeFor(Hl7ErrorCode.SegmentSequenceError, { segmentIndex: 4 })).toBe('AE');
  });

  it('answers refusals, an unusable MSH and our own failures with AR', () => {
    expect(nakCodeFor(Hl7ErrorCode.UnsupportedEventCode)).toBe('AR');
    expect(nakCodeFor(Hl7ErrorCode.RequiredFieldMissing, { segment: 'MSH', field: 10 })).toBe('AR');
    expect(nakCodeFor(Hl7ErrorCode.ApplicationInternalError)).toBe('AR');
  });
});

describe(ackErrorFrom.name, () => {
  it('carries the location, code and safe message of a parse error', () => {
    const error = new Hl7ParseError(Hl7ErrorCode.DataTypeError, { segment: 'PV1', sequence: 1, field: 45 }, 'not a valid HL7 date/time');

    expect(ackErrorFrom(error)).toEqual({
      segment: 'PV1',
      sequence: 1,
      field: 45,
      component: undefined,
      code: Hl7ErrorCode.DataTypeError,
      severity: 'E',
      diagnostic: 'Data type error (HL7 0357 code 102) at PV1-45: not a valid HL7 date/time',
    });
  });
});
