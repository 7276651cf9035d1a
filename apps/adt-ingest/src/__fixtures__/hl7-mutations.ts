import fc from 'fast-check';
import { adt } from './adt-builder';
import { REFUSED_CASES, TIME_CASES, TRIGGER_CASES, VENDOR_CASES } from './corpus';

/**
 * Generated and mutated HL7 messages for property tests: well-formed seeds (the corpus and
 * built messages of every trigger, version and ack mode) broken in the ways real feeds and
 * networks break them.
 */

const TRIGGERS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A11', 'A12', 'A13', 'A40', 'A28', 'R01'] as const;
const VERSIONS = ['2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.8', '2.9', ''] as const;
const STRUCTURE_BYTES = ['|', '^', '~', '\\', '&', '#', '\r', '\n', '\r\n', '\u0000', '\u000b', '\u001c', '"', 'é', '中', '😀', '\uFFFD'];

const corpusSeeds = [...VENDOR_CASES, ...TRIGGER_CASES, ...REFUSED_CASES, ...TIME_CASES].map((entry) => entry.bytes);

const builtSeed: fc.Arbitrary<Buffer> = fc
  .record({
    trigger: fc.constantFrom(...TRIGGERS),
    version: fc.constantFrom(...VERSIONS),
    controlId: fc.stringMatching(/^[A-Z0-9.-]{1,24}$/),
    facility: fc.constantFrom('LGH', 'RVH', 'MMC', 'ENH', ''),
    processingId: fc.constantFrom('P', 'P', 'P', 'T', 'D', 'X'),
    visit: fc.option(fc.stringMatching(/^V-[0-9]{1,4}$/), { nil: null }),
    mrn: fc.stringMatching(/^[A-Z0-9]{1,10}$/),
    eventTime: fc.stringMatching(/^20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d)([01]\d|2[0-3])[0-5]\d([+-](0\d|1[0-4])[0-5]\d)?$/),
    ackTypes: fc.constantFrom<readonly [string, string] | undefined>(undefined, ['AL', 'NE'], ['AL', 'AL'], ['NE', 'ER'], ['XX', 'YY']),
    ssn: fc.option(fc.constantFrom('123-45-6789', '987654321'), { nil: undefined }),
    priorMrn: fc.option(fc.stringMatching(/^[A-Z0-9]{1,10}$/), { nil: undefined }),
  })
  .map((spec) => Buffer.from(adt({ ...spec, without: spec.trigger === 'A40' ? ['PV1'] : [] }), 'utf8'));

export const seedMessage: fc.Arbitrary<Buffer> = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...corpusSeeds) }, { weight: 2, arbitrary: builtSeed });

type Mutation = (bytes: Buffer) => Buffer;

const at = (bytes: Buffer, fraction: number): number => Math.floor(fraction * bytes.length);
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const junk = fc.oneof(
  fc.constantFrom(...STRUCTURE_BYTES).map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((array) => Buffer.from(array)),
  fc.string({ maxLength: 12 }).map((text) => Buffer.from(text, 'utf8')),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fraction, fc.integer({ min: 0, max: 255 })).map(([where, value]): Mutation => (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length > 0) {
      copy[at(copy, where)] = value;
    }
    return copy;
  }),
  fc.tuple(fraction, fraction).map(([start, length]): Mutation => (bytes) => Buffer.concat([bytes.subarray(0, at(bytes, start)), bytes.subarray(at(bytes, start) + Math.ceil(length * 40))])),
  fc.tuple(fraction, junk).map(([where, inserted]): Mutation => (bytes) => Buffer.concat([bytes.subarray(0, at(bytes, where)), inserted, bytes.subarray(at(bytes, where))])),
  fraction.map((where): Mutation => (bytes) => bytes.subarray(0, at(bytes, where))),
  fc.constantFrom<Mutation>(
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\r/g, '\n'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\r/g, '\r\n'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace('^~\\&', '^^\\&'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\rPV1[^\r]*/, ''), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\r(PID[^\r]*)/, '\r$1\r$1'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/^MSH/, 'MSX'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\|P\|2\./, '|P|9.'), 'latin1'),
    (bytes) => Buffer.from(bytes.toString('latin1').replace(/\rPID\|1\|\|[^|]*/, `\rPID|1||${'9'.repeat(3000)}`), 'latin1'),
    (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]),
    (bytes) => Buffer.from(bytes.toString('utf8').replace(/\|UNICODE UTF-8/, '|8859/1'), 'utf8'),
  ),
);

/** A seed with zero to three mutations applied. */
export const mutatedMessage: fc.Arbitrary<Buffer> = fc
  .tuple(seedMessage, fc.array(mutation, { maxLength: 3 }))
  .map(([seed, mutations]) => mutations.reduce((bytes, mutate) => mutate(bytes), seed));

/** What goes on the wire between two frames: usually nothing, sometimes stray bytes a sender leaves there. */
export const betweenFrames: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from('\r\n'), Buffer.from('\n'), Buffer.from([0x1c, 0x0d]), Buffer.from('keepalive')) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((array) => Buffer.from(array)) },
);
