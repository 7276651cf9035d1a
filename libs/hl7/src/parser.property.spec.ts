import fc from 'fast-check';
import { buildAck, buildNakForUnparseable } from './ack';
import { readAdt } from './adt-reader';
import { Hl7ParseError } from './errors';
import { escapeHl7 } from './escaping';
import { Hl7Message, parseHl7 } from './message';
import { maskSsn } from './phi';

/** A marker standing for patient data: no error message may ever contain it. */
const PATIENT_DATA = 'PHIMARKER';

const delimiterSets = [
  { field: '|', characters: '^~\\&' },
  { field: '|', characters: '^~\\&#' },
  { field: '#', characters: '$*!@' },
  { field: '|', characters: '^~\\' },
] as const;

const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom('A', 'z', '0', '9', ' ', '.', '-', 'é', '中', '😀', '"'), maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom('\\F\\', '\\S\\', '\\T\\', '\\R\\', '\\E\\', '\\P\\', '\\X41\\', '\\XC3A9\\', '\\XE9\\', '\\.br\\', '\\.sp2\\', '\\H\\', '\\N\\', '\\C2842\\', '\\Zx\\', '\\', '""', '#') },
  { weight: 2, arbitrary: fc.stringMatching(/^\d{4,14}(\.\d{1,5})?([+-]\d{4})?$/) },
  { weight: 1, arbitrary: fc.constant(PATIENT_DATA) },
  { weight: 1, arbitrary: fc.constantFrom('SS', 'MR', 'Y', 'N', 'AL', 'NE', 'ADT', 'A03', 'A40') },
  { weight: 1, arbitrary: fc.constant('') },
);

type Field = string[][][];
const subcomponents = fc.oneof({ weight: 4, arbitrary: leaf.map((value) => [value]) }, { weight: 1, arbitrary: fc.array(leaf, { minLength: 2, maxLength: 3 }) });
const field: fc.Arbitrary<Field> = fc.array(fc.array(subcomponents, { minLength: 1, maxLength: 5 }), { maxLength: 2 });
const sparseFields = fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), field), { maxLength: 6 });

const segmentSpec = fc.record({
  id: fc.constantFrom('EVN', 'PID', 'PV1', 'DG1', 'IN1', 'AL1', 'MRG', 'NTE', 'ZPD', 'NK1', 'GT1', 'IN2', 'OBX'),
  fields: sparseFields,
});

/** Mostly values the ADT reader accepts, so generated messages get past the header checks. */
const usually = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: other });

const header = fc.record({
  messageType: usually(
    fc.constantFrom('ADT^A01', 'ADT^A03^ADT_A03', 'ADT^A08', 'ADT^A13', 'ADT^A40^ADT_A39'),
    fc.constantFrom('ADT^A28', 'ORU^R01', 'ADT', ''),
  ),
  controlId: usually(fc.constant('CTRL1'), fc.constantFrom('', 'X\\F\\Y')),
  processingId: usually(fc.constantFrom('P', 'T', 'D'), fc.constantFrom('X', '')),
  version: usually(fc.constantFrom('2.3', '2.5.1', '2.8.2', '2.5^USA'), fc.constantFrom('2.9', '')),
  time: usually(fc.constant('20261120143100-0600'), fc.stringMatching(/^\d{0,14}([+-]\d{4})?$/)),
  ackTypes: usually<readonly string[]>(fc.constantFrom(['AL', 'NE'], ['', '']), fc.constant(['XX', 'AL'])),
  charset: fc.constantFrom('', 'UNICODE UTF-8', '8859/1', 'ASCII'),
  facility: fc.constantFrom('LGH', 'OTHER', ''),
});

const message = fc.record({
  delimiters: usually(fc.constantFrom(...delimiterSets.slice(0, 3)), fc.constant(delimiterSets[3])),
  header,
  standard: usually<readonly string[]>(fc.constant(['EVN', 'PID', 'PV1']), fc.subarray(['EVN', 'PID', 'PV1'])),
  standardFields: fc.array(sparseFields, { minLength: 3, maxLength: 3 }),
  extra: fc.array(segmentSpec, { maxLength: 6 }),
  lineEnding: fc.constantFrom('\r', '\n', '\r\n'),
});

type MessageSpec = typeof message extends fc.Arbitrary<infer T> ? T : never;

function render(spec: MessageSpec): string {
  const { field: separator, characters } = spec.delimiters;
  const [component, repetition, , subcomponent] = characters;
  const encodeField = (value: Field): string =>
    value.map((rep) => rep.map((comp) => comp.join(subcomponent ?? '&')).join(component)).join(repetition);
  const line = (id: string, fields: ReadonlyArray<[number, Field]>, start = 1): string => {
    const values: string[] = [];
    for (const [position, value] of fields) {
      values[position - start] = encodeField(value);
    }
    return [id, ...Array.from(values, (v) => v ?? '')].join(separator);
  };
  const { header: h } = spec;
  const composite = (value: string): string => value.replaceAll('^', component);
  const msh = ['MSH', characters, 'EPIC', h.facility, 'SC', 'SC', h.time, '', composite(h.messageType), h.controlId, h.processingId, composite(h.version), '', '', ...h.ackTypes, '', h.charset];
  const standard = spec.standard.map((id, i) => line(id, id === 'PID' ? [[3, [[['MRN1'], [], [], ['LGH'], ['MR']]]], ...spec.standardFields[i]] : spec.standardFields[i]));
  const extra = spec.extra.map((segment) => line(segment.id, segment.fields));
  return [msh.join(separator), ...standard, ...extra].join(spec.lineEnding) + spec.lineEnding;
}

const mutation = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'truncate', 'duplicate'),
  /** Where in the text, as a fraction of its length: uniform, not biased towards the start. */
  at: fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_000),
  length: fc.integer({ min: 1, max: 12 }),
  text: fc.oneof(
    fc.constantFrom('|', '^', '~', '\\', '&', '#', '\r', '\n', '\r\n', 'MSH|^~\\&|', 'PID|', '\\X', '\\XZZ\\', '\u0000', '\u000b', '\u001c', '\uFEFF', '""', 'MSH'),
    fc.string({ maxLength: 4 }),
  ),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: readonly Mutation[]): string {
  return mutations.reduce((current, { kind, at, length, text: inserted }) => {
    const position = Math.floor(at * current.length);
    switch (kind) {
      case 'insert':
        return current.slice(0, position) + inserted + current.slice(position);
      case 'delete':
        return current.slice(0, position) + current.slice(position + length);
      case 'replace':
        return current.slice(0, position) + inserted + current.slice(position + inserted.length);
      case 'truncate':
        return current.slice(0, position);
      case 'duplicate':
        return current.slice(0, position) + current.slice(position, position + length * 8) + current.slice(position);
    }
  }, text);
}

function expectOnlyHl7ParseErrors(action: () => void): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(Hl7ParseError);
    expect((error as Hl7ParseError).message).not.toContain(PATIENT_DATA);
  }
}

const options = { facilityTimeZones: { LGH: 'America/Chicago' }, defaultTimeZone: 'Europe/Paris' };
const now = new Date('2026-11-20T20:31:05.000Z');

describe(`${Hl7Message.name} (property-based)`, () => {
  it('parses or throws an Hl7ParseError, never anything else, for 10,000 generated and mutated messages', () => {
    let parsed = 0;
    let read = 0;
    fc.assert(
      fc.property(message, fc.array(mutation, { maxLength: 4 }), (spec, mutations) => {
        const text = mutate(render(spec), mutations);
        let hl7: Hl7Message | undefined;
        expectOnlyHl7ParseErrors(() => {
          hl7 = parseHl7(text);
          parsed += 1;
        });
        if (hl7) {
          const parsedMessage = hl7;
          expectOnlyHl7ParseErrors(() => {
            readAdt(parsedMessage, options);
            read += 1;
          });
          expect(parseHl7(buildAck(parsedMessage, { code: 'AA', controlId: 'A1', now })).get('MSA-1')).toBe('AA');
        }
      }),
      { numRuns: 10_000 },
    );
    // The generators must reach the ADT reader, not just the parser's front door.
    expect(parsed).toBeGreaterThan(3000);
    expect(read).toBeGreaterThan(100);
  });

  it('encodes a parsed message back to text that parses to the same message', () => {
    fc.assert(
      fc.property(message, fc.array(mutation, { maxLength: 2 }), (spec, mutations) => {
        let parsed: Hl7Message;
        try {
          parsed = parseHl7(mutate(render(spec), mutations));
        } catch {
          return;
        }
        const encoded = parsed.encode();

        expect(parseHl7(encoded).encode()).toBe(encoded);
      }),
      { numRuns: 1000 },
    );
  });

  it('always answers with a NAK that parses, whatever the frame held', () => {
    fc.assert(
      fc.property(message, fc.array(mutation, { maxLength: 6 }), (spec, mutations) => {
        const text = mutate(render(spec), mutations);

        const nak = parseHl7(buildNakForUnparseable(text, new Error(PATIENT_DATA), { now }));

        expect(nak.get('MSA-1')).toBe('AR');
        expect(nak.encode()).not.toContain(PATIENT_DATA);
      }),
      { numRuns: 1000 },
    );
  });

  it('masks SSNs without breaking any message that parsed before', () => {
    fc.assert(
      fc.property(message, fc.array(mutation, { maxLength: 2 }), (spec, mutations) => {
        const text = mutate(render(spec), mutations);
        const masked = maskSsn(text);
        let original: Hl7Message | undefined;
        try {
          original = parseHl7(text);
        } catch {
          return;
        }

        const maskedMessage = parseHl7(masked);

        expect(maskedMessage.segments().map((s) => s.id)).toEqual(original.segments().map((s) => s.id));
        expect(maskedMessage.get('PID-19') ?? '***-**-****').toMatch(/^(\*\*\*-\*\*-\*\*\*\*|"")$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back every value it was given, whatever characters it holds', () => {
    const delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (components) => {
        const encoded = components.map((subs) => subs.map((value) => escapeHl7(value, delimiters)).join('&')).join('^');

        const parsed = parseHl7(`MSH|^~\\&|APP\rNTE|1||${encoded}\r`).segment('NTE')?.field(3).repetition();

        expect(parsed?.components).toEqual(components);
      }),
      { numRuns: 1000 },
    );
  });
});
