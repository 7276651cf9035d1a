import { adtMessage, er7, fixture, segment } from './__fixtures__/er7.factory';
import { Hl7ErrorCode, Hl7ParseError } from './errors';
import { Hl7Message, parseHl7 } from './message';

function parseError(text: string): Hl7ParseError {
  try {
    parseHl7(text);
  } catch (error) {
    if (error instanceof Hl7ParseError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an Hl7ParseError');
}

describe(Hl7Message.name, () => {
  describe('delimiters', () => {
    it('reads the delimiters from MSH-1 and MSH-2', () => {
      const message = parseHl7('MSH#$*!@#APP#FAC\rPID###ID1$$$AUTH@NS$MR*ID2$$$B\r');

      expect(message.delimiters).toEqual({ field: '#', component: '$', repetition: '*', escape: '!', subcomponent: '@' });
      expect(message.get('MSH-3')).toBe('APP');
      expect(message.get('PID-3(2).1')).toBe('ID2');
      expect(message.get('PID-3.4.2')).toBe('NS');
    });

    it('reads the v2.7 truncation character as the 5th MSH-2 character and keeps a bare one in the value', () => {
      const message = parseHl7('MSH|^~\\&#|APP\rNTE|1||long comment cut her#|a \\P\\ sign\r');

      expect(message.delimiters.truncation).toBe('#');
      expect(message.get('NTE-3')).toBe('long comment cut her#');
      expect(message.get('NTE-4')).toBe('a # sign');
    });

    it.each([
      ['MSH|^~\\|APP', 'only three encoding characters'],
      ['MSH|^~\\&$!|APP', 'six encoding characters'],
      ['MSH|^^\\&|APP', 'a repeated encoding character'],
      ['MSH|^~A&|APP', 'a letter as a delimiter'],
      ['MSHX^~\\&XAPP', 'a letter as the field separator'],
    ])('rejects unusable encoding characters (%s: %s) with 102 at MSH-2', (text) => {
      expect(parseError(text)).toMatchObject({ code: Hl7ErrorCode.DataTypeError, segment: 'MSH', field: 2 });
    });
  });

  describe('segments', () => {
    it('accepts CR, LF and CRLF segment endings alike', () => {
      const lines = [segment('MSH', { 9: 'ADT^A01' }), segment('PID', { 3: 'X' }), segment('PV1', { 2: 'I' })];

      const parsed = ['\r', '\n', '\r\n'].map((ending) => parseHl7(lines.join(ending)).encode());

      expect(new Set(parsed).size).toBe(1);
      expect(parseHl7(lines.join('\r\n')).segments().map((s) => s.id)).toEqual(['MSH', 'PID', 'PV1']);
    });

    it('ignores empty lines and a byte order mark', () => {
      const message = parseHl7(`\uFEFF${segment('MSH')}\r\n\r\n${segment('PID', { 3: 'X' })}\n\n`);

      expect(message.segments().map((s) => s.id)).toEqual(['MSH', 'PID']);
    });

    it('keeps unknown Z-segments', () => {
      const message = parseHl7(adtMessage({ segments: [segment('ZPD', { 1: 'custom^value' })] }));

      expect(message.get('ZPD-1.2')).toBe('value');
    });

    it('numbers repeated segments by position and by occurrence', () => {
      const message = parseHl7(adtMessage({ segments: [segment('DG1', { 3: 'I10^A' }), segment('NTE'), segment('DG1', { 3: 'E11^B' })] }));

      const diagnoses = message.segments('DG1');

      expect(diagnoses.map((s) => [s.index, s.occurrence, s.get(3)])).toEqual([
        [5, 1, 'I10'],
        [7, 2, 'E11'],
      ]);
      expect(message.get('DG1(2)-3.2')).toBe('B');
      expect(message.segment('DG1', 3)).toBeUndefined();
    });

    it('rejects text that does not start with MSH with 100', () => {
      expect(parseError(er7(segment('PID', { 3: 'X' })))).toMatchObject({ code: Hl7ErrorCode.SegmentSequenceError, segment: 'MSH' });
      expect(parseError('')).toMatchObject({ code: Hl7ErrorCode.SegmentSequenceError });
    });

    it('rejects a line that is not a segment with 100, naming its position but not its text', () => {
      const error = parseError(er7(segment('MSH'), segment('PID', { 5: 'SMITH^JOHN' }), 'John Smith lives here|x'));

      expect(error).toMatchObject({ code: Hl7ErrorCode.SegmentSequenceError, segment: undefined, segmentIndex: 3 });
      expect(error.message).not.toMatch(/John|Smith/);
    });

    it('rejects a second MSH with 100', () => {
      expect(parseError(er7(segment('MSH'), segment('PID'), segment('MSH')))).toMatchObject({
        code: Hl7ErrorCode.SegmentSequenceError,
        segment: 'MSH',
        sequence: 2,
      });
    });
  });

  describe('accessors', () => {
    const message = parseHl7(fixture('jason-a03-discharge'));

    it('addresses fields, repetitions, components and subcomponents 1-based like the standard', () => {
      expect(message.get('MSH-1')).toBe('|');
      expect(message.get('MSH-2')).toBe('^~\\&');
      expect(message.get('MSH-9.2')).toBe('A03');
      expect(message.get('PID-3')).toBe('00482913');
      expect(message.get('PID-3.5')).toBe('MR');
      expect(message.get('PID-3(2).1')).toBe('NSH778812345');
      expect(message.get('PID-3(2)-4')).toBe('NSHP');
      expect(message.get('PID-5.2')).toBe('JASON');
      expect(message.get('DG1(3)-3.1')).toBe('Z95.1');
    });

    it('returns undefined for what is absent or empty', () => {
      expect(message.get('PID-2')).toBeUndefined();
      expect(message.get('PID-3(3).1')).toBeUndefined();
      expect(message.get('PID-5.9')).toBeUndefined();
      expect(message.get('PID-99')).toBeUndefined();
      expect(message.get('AL1-1')).toBeUndefined();
    });

    it('gives whole fields with their repetitions', () => {
      const identifiers = message.segment('PID')?.field(3);

      expect(identifiers?.repetitions.map((r) => [r.get(1), r.get(4), r.get(5)])).toEqual([
        ['00482913', 'LGH', 'MR'],
        ['NSH778812345', 'NSHP', 'MB'],
      ]);
      expect(identifiers?.repetition(2)?.componentCount).toBe(5);
    });

    it('gives subcomponents', () => {
      const parsed = parseHl7(er7(segment('MSH'), segment('PID', { 5: 'VAN&DER&BERG^ANNA' })));

      expect(parsed.segment('PID')?.field(5).repetition()?.subcomponents(1)).toEqual(['VAN', 'DER', 'BERG']);
      expect(parsed.get('PID-5.1.3')).toBe('BERG');
    });

    it('keeps the HL7 null "" as written', () => {
      const parsed = parseHl7(adtMessage({ pid: { 8: '""' } }));

      expect(parsed.get('PID-8')).toBe('""');
    });

    it('throws a RangeError for a malformed path', () => {
      expect(() => message.get('pid-3')).toThrow(RangeError);
      expect(() => message.get('PID3')).toThrow(RangeError);
    });
  });

  describe('escape sequences', () => {
    it('decodes escaped delimiters without splitting on them', () => {
      const parsed = parseHl7(er7(segment('MSH'), segment('NTE', { 3: 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f^second' })));

      expect(parsed.get('NTE-3')).toBe('a|b^c&d~e\\f');
      expect(parsed.get('NTE-3.2')).toBe('second');
    });

    it('reads \\X..\\ bytes as Latin-1 when MSH-18 says 8859/1', () => {
      const parsed = parseHl7(er7(segment('MSH', { 18: '8859/1' }), segment('NTE', { 3: 'caf\\XE9\\' })));

      expect(parsed.get('NTE-3')).toBe('café');
    });
  });

  it('encodes back to the same ER7', () => {
    const text = fixture('jason-a03-discharge');

    expect(parseHl7(text).encode()).toBe(text);
  });
});
