import fc from 'fast-check';
import { DEFAULT_DELIMITERS, type Hl7Delimiters } from './delimiters';
import { escapeHl7, unescapeHl7 } from './escaping';

const unescape = (value: string): string => unescapeHl7(value, DEFAULT_DELIMITERS);
const withTruncation: Hl7Delimiters = { ...DEFAULT_DELIMITERS, truncation: '#' };

describe(unescapeHl7.name, () => {
  it.each([
    ['\\F\\', '|'],
    ['\\S\\', '^'],
    ['\\T\\', '&'],
    ['\\R\\', '~'],
    ['\\E\\', '\\'],
    ['\\P\\', '#'],
  ])('decodes the delimiter escape %s', (escaped, plain) => {
    expect(unescape(`a${escaped}b`)).toBe(`a${plain}b`);
  });

  it('decodes \\P\\ to the declared truncation character', () => {
    expect(unescapeHl7('\\P\\', { ...DEFAULT_DELIMITERS, truncation: '%' })).toBe('%');
  });

  it('decodes hex bytes as UTF-8, falling back to Latin-1 when they are not UTF-8', () => {
    expect(unescape('caf\\XC3A9\\')).toBe('café');
    expect(unescape('\\X0D0A\\')).toBe('\r\n');
    expect(unescape('caf\\XE9\\')).toBe('café');
    expect(unescapeHl7('\\XC3A9\\', DEFAULT_DELIMITERS, 'latin1')).toBe('Ã©');
  });

  it('turns line-break formatting into newlines and drops the other formatting commands', () => {
    expect(unescape('line 1\\.br\\line 2')).toBe('line 1\nline 2');
    expect(unescape('a\\.sp\\b\\.sp2\\c')).toBe('a\nb\n\nc');
    expect(unescape('\\.in+4\\\\.ti-2\\\\.fi\\\\.nf\\\\.ce\\\\.sk3\\text')).toBe('text');
  });

  it('drops highlighting and character-set switches', () => {
    expect(unescape('\\H\\IMPORTANT\\N\\')).toBe('IMPORTANT');
    expect(unescape('\\C2842\\abc\\C2D41\\')).toBe('abc');
    expect(unescape('\\M2442\\abc\\M242841\\')).toBe('abc');
  });

  it('keeps locally defined, unknown and unterminated sequences literally', () => {
    expect(unescape('\\Zlocal\\')).toBe('\\Zlocal\\');
    expect(unescape('C:\\temp\\F\\x')).toBe('C:\\temp|x');
    expect(unescape('trailing \\F')).toBe('trailing \\F');
    expect(unescape('\\X1\\')).toBe('\\X1\\');
    expect(unescape('\\\\')).toBe('\\\\');
  });
});

describe(escapeHl7.name, () => {
  it('escapes delimiters, line breaks and control characters', () => {
    expect(escapeHl7('a|b^c&d~e\\f#g', withTruncation)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\P\\g');
    expect(escapeHl7('x\ny\rz\u000bw\u001c', DEFAULT_DELIMITERS)).toBe('x\\.br\\y\\X0D\\z\\X0B\\w\\X1C\\');
  });

  it('leaves # alone when no truncation character is declared', () => {
    expect(escapeHl7('#1', DEFAULT_DELIMITERS)).toBe('#1');
  });

  it('round-trips any text through unescapeHl7', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (text, truncation) => {
        const delimiters = truncation ? withTruncation : DEFAULT_DELIMITERS;
        const escaped = escapeHl7(text, delimiters);

        expect(escaped).not.toMatch(/[|^~&\r\n\u000b\u001c]/);
        expect(unescapeHl7(escaped, delimiters)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
