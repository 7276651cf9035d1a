import { readDelimiters } from './delimiters';

/**
 * The character set a message declares in MSH-18 (first repetition, HL7 table 0211), normalised
 * to upper case; `undefined` when MSH-18 is empty or the MSH cannot be read.
 */
export function sniffHl7Charset(raw: Buffer | string): string | undefined {
  const text = typeof raw === 'string' ? raw : firstLineAsLatin1(raw);
  const msh = text.replace(/^\uFEFF/, '').split(/[\r\n]/, 1)[0];
  const delimiters = readDelimiters(msh);
  if (!delimiters) {
    return undefined;
  }
  // Splitting on MSH-1 makes element n hold MSH-(n+1): MSH-1 is the separator itself.
  const msh18 = msh.split(delimiters.field)[17] ?? '';
  const declared = msh18.split(delimiters.repetition)[0].split(delimiters.component)[0].trim().toUpperCase();
  return declared === '' ? undefined : declared;
}

type Decoding = { kind: 'utf-8-or-latin1' } | { kind: 'utf-8' } | { kind: 'latin1' } | { kind: 'label'; label: string };

/** Table 0211 names that WHATWG TextDecoder (Node built with full ICU) can read. */
const TEXT_DECODER_LABELS: Readonly<Record<string, string>> = {
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
  'GB 18030-2000': 'gb18030',
  'BIG-5': 'big5',
  'KS X 1001': 'euc-kr',
};

function decodingFor(declared: string | undefined): Decoding {
  switch (declared) {
    case undefined:
    case 'ASCII':
      // ASCII is a subset of UTF-8; senders that declare ASCII but send 8-bit bytes usually mean Latin-1/Windows-1252.
      return { kind: 'utf-8-or-latin1' };
    case '8859/1':
      return { kind: 'latin1' };
    case 'UNICODE UTF-8':
    case 'UTF-8':
      return { kind: 'utf-8' };
    default: {
      const label = TEXT_DECODER_LABELS[declared];
      return label ? { kind: 'label', label } : { kind: 'utf-8' };
    }
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns the bytes of one message into text, honouring the character set in MSH-18 (read from the
 * raw bytes: MSH is ASCII): `8859/1` as Latin-1, `UNICODE UTF-8` as UTF-8 (invalid bytes become
 * U+FFFD), empty or `ASCII` as UTF-8 falling back to Latin-1 when the bytes are not valid UTF-8.
 * Other ISO 8859 parts, GB 18030, BIG-5 and KS X 1001 use TextDecoder; anything else is read as UTF-8.
 * A UTF-8 byte order mark is removed.
 */
export function decodeHl7Bytes(buf: Buffer): string {
  const bytes = hasUtf8Bom(buf) ? buf.subarray(3) : buf;
  const decoding = decodingFor(sniffHl7Charset(bytes));
  switch (decoding.kind) {
    case 'latin1':
      return bytes.toString('latin1');
    case 'utf-8':
      return bytes.toString('utf8');
    case 'utf-8-or-latin1':
      try {
        return strictUtf8.decode(bytes);
      } catch {
        return bytes.toString('latin1');
      }
    case 'label':
      try {
        return new TextDecoder(decoding.label).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
  }
}

/**
 * Turns message text into bytes for the wire: Latin-1 when MSH-18 declares `8859/1` (characters
 * it cannot represent become `?`), UTF-8 otherwise (Node can only encode those two).
 */
export function encodeHl7Text(text: string): Buffer {
  if (decodingFor(sniffHl7Charset(text)).kind === 'latin1') {
    return Buffer.from(text.replace(/[^\u0000-\u00ff]/gu, '?'), 'latin1');
  }
  return Buffer.from(text, 'utf8');
}

/** Whether `encodeHl7Text` can honour this MSH-18 value, so a reply may declare it. */
export function isEncodableHl7Charset(declared: string | undefined): boolean {
  return declared === undefined || ['ASCII', '8859/1', 'UNICODE UTF-8'].includes(declared.trim().toUpperCase());
}

function hasUtf8Bom(buf: Buffer): boolean {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
}

function firstLineAsLatin1(buf: Buffer): string {
  const start = hasUtf8Bom(buf) ? 3 : 0;
  let end = start;
  while (end < buf.length && end < 4096 && buf[end] !== 0x0d && buf[end] !== 0x0a) {
    end += 1;
  }
  return buf.toString('latin1', start, end);
}
