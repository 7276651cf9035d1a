import { segment } from './__fixtures__/er7.factory';
import { decodeHl7Bytes, encodeHl7Text, sniffHl7Charset } from './charset';

const messageWithCharset = (charset: string | undefined): string => `${segment('MSH', { 9: 'ADT^A01', 18: charset })}\rPID|1||X||MÜLLER^RENÉ\r`;

describe(decodeHl7Bytes.name, () => {
  it('reads 8859/1 messages as Latin-1', () => {
    const text = messageWithCharset('8859/1');

    expect(decodeHl7Bytes(Buffer.from(text, 'latin1'))).toBe(text);
  });

  it('reads UNICODE UTF-8 messages as UTF-8', () => {
    const text = messageWithCharset('UNICODE UTF-8');

    expect(decodeHl7Bytes(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('reads messages without MSH-18 as UTF-8 by default', () => {
    const text = messageWithCharset(undefined);

    expect(decodeHl7Bytes(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('reads ASCII-declared messages with 8-bit bytes that are not UTF-8 as Latin-1', () => {
    const text = messageWithCharset('ASCII');

    expect(decodeHl7Bytes(Buffer.from(text, 'latin1'))).toBe(text);
  });

  it('uses only the first MSH-18 repetition and drops a UTF-8 byte order mark', () => {
    const text = messageWithCharset('8859/1~ISO IR87');

    expect(decodeHl7Bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]))).toBe(text);
  });

  it('reads other ISO 8859 parts through TextDecoder', () => {
    const text = `${segment('MSH', { 18: '8859/2' })}\rPID|1||X||DVOŘÁK\r`;
    const bytes = Buffer.from(text.replace('Ř', '\u00d8'), 'latin1');

    expect(decodeHl7Bytes(bytes)).toBe(text);
  });

  it('does not choke on bytes that are not HL7', () => {
    expect(decodeHl7Bytes(Buffer.from([0xff, 0x00, 0x41]))).toBe('ÿ\u0000A');
  });
});

describe(sniffHl7Charset.name, () => {
  it('reads MSH-18 with the message delimiters, in upper case', () => {
    expect(sniffHl7Charset(`MSH#$*!@${'#'.repeat(16)}unicode utf-8$x*8859/1\r`)).toBe('UNICODE UTF-8');
    expect(sniffHl7Charset('not hl7')).toBeUndefined();
  });
});

describe(encodeHl7Text.name, () => {
  it('writes 8859/1 messages as Latin-1, replacing what Latin-1 cannot hold', () => {
    const text = `${segment('MSH', { 18: '8859/1' })}\rNTE|1||RENÉ 😀\r`;

    expect(encodeHl7Text(text).toString('latin1')).toBe(text.replace('😀', '?'));
  });

  it('writes everything else as UTF-8', () => {
    const text = messageWithCharset(undefined);

    expect(encodeHl7Text(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
