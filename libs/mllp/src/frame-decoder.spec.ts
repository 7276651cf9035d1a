import fc from 'fast-check';
import { MllpErrorCode } from './errors';
import { MllpFrameDecoder, type MllpDecoderEvent } from './frame-decoder';
import { encodeMllpFrame } from './framing';

const frame = (payload: string): Buffer => encodeMllpFrame(payload);
const bytes = (...parts: Array<string | Buffer | number[]>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

function framesOf(events: MllpDecoderEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'frame' ? [event.frame.toString('latin1')] : []));
}

function feed(decoder: MllpFrameDecoder, ...chunks: Buffer[]): MllpDecoderEvent[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe(MllpFrameDecoder.name, () => {
  it('decodes one frame', () => {
    expect(framesOf(new MllpFrameDecoder().push(frame('MSH|1')))).toEqual(['MSH|1']);
  });

  it('decodes a frame split into single bytes', () => {
    const decoder = new MllpFrameDecoder();
    const wire = frame('MSH|^~\\&|A\rPID|1\r');

    const events = feed(decoder, ...[...wire].map((byte) => Buffer.of(byte)));

    expect(framesOf(events)).toEqual(['MSH|^~\\&|A\rPID|1\r']);
  });

  it('decodes several frames from one read', () => {
    const events = new MllpFrameDecoder().push(Buffer.concat([frame('one'), frame('two'), frame('three')]));

    expect(framesOf(events)).toEqual(['one', 'two', 'three']);
  });

  it('waits for the CR when a read ends just after FS', () => {
    const decoder = new MllpFrameDecoder();

    expect(decoder.push(bytes([0x0b], 'abc', [0x1c]))).toEqual([]);
    expect(framesOf(decoder.push(bytes([0x0d], [0x0b], 'next', [0x1c, 0x0d])))).toEqual(['abc', 'next']);
  });

  it('ignores and counts bytes outside frames', () => {
    const decoder = new MllpFrameDecoder();

    const events = decoder.push(bytes('noise', frame('a'), '\r\n', frame('b'), 'tail'));

    expect(framesOf(events)).toEqual(['a', 'b']);
    expect(decoder.bytesOutsideFrames).toBe('noise'.length + 2 + 'tail'.length);
  });

  it('keeps an FS that is not followed by CR as payload', () => {
    expect(framesOf(new MllpFrameDecoder().push(bytes([0x0b], 'a', [0x1c], 'b', [0x1c, 0x0d])))).toEqual(['a\u001cb']);
  });

  it('abandons a partial frame when a new one starts, and counts it', () => {
    const decoder = new MllpFrameDecoder();

    const events = decoder.push(bytes([0x0b], 'cut', frame('whole')));

    expect(framesOf(events)).toEqual(['whole']);
    expect(decoder.bytesOutsideFrames).toBe(4);
  });

  it('decodes an empty frame', () => {
    expect(framesOf(new MllpFrameDecoder().push(bytes([0x0b, 0x1c, 0x0d])))).toEqual(['']);
  });

  it('accepts a frame of exactly the maximum size', () => {
    expect(framesOf(new MllpFrameDecoder({ maxFrameBytes: 5 }).push(frame('12345')))).toEqual(['12345']);
  });

  it('reports an oversized frame once, with its head, then resynchronises on the next frame', () => {
    const decoder = new MllpFrameDecoder({ maxFrameBytes: 20 });

    const events = feed(decoder, bytes([0x0b], 'MSH|^~\\&|A|B'), bytes('more and more'), bytes('and more', [0x1c, 0x0d]), frame('ok'));

    expect(events.map((event) => event.type)).toEqual(['oversize', 'frame']);
    const [oversize] = events;
    expect(oversize.type === 'oversize' && oversize.error.code).toBe(MllpErrorCode.FrameTooLarge);
    expect(oversize.type === 'oversize' && oversize.head.toString('latin1')).toBe('MSH|^~\\&|A|Bmore and more');
    expect(oversize.type === 'oversize' && oversize.error.message).not.toContain('MSH');
    expect(framesOf(events)).toEqual(['ok']);
  });

  it('returns payloads that do not share memory with the read buffer', () => {
    const read = frame('abc');
    const [event] = new MllpFrameDecoder().push(read);
    read.fill(0);

    expect(event.type === 'frame' && event.frame.toString()).toBe('abc');
  });

  it('decodes the same frames however the stream is split', () => {
    const payload = fc.string({ unit: fc.constantFrom('a', 'Z', '|', '^', '\r', '\n', 'é'), maxLength: 40 });
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (payloads, cuts) => {
        const wire = Buffer.concat(payloads.map((p) => Buffer.concat([Buffer.of(0x0b), Buffer.from(p), Buffer.of(0x1c, 0x0d)])));
        const positions = [...new Set(cuts.map((cut) => cut % (wire.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...positions].map((start, i, all) => wire.subarray(start, all[i + 1] ?? wire.length));
        const decoder = new MllpFrameDecoder();

        const events = feed(decoder, ...chunks);

        expect(events.map((event) => (event.type === 'frame' ? event.frame.toString() : event.type))).toEqual(payloads);
        expect(decoder.bytesOutsideFrames).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
