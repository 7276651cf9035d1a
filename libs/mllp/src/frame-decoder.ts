import { MllpError, MllpErrorCode } from './errors';
import { CARRIAGE_RETURN, END_BLOCK, START_BLOCK } from './framing';

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const OVERSIZE_HEAD_BYTES = 4096;

export type MllpDecoderEvent =
  | { readonly type: 'frame'; readonly frame: Buffer }
  | {
      readonly type: 'oversize';
      readonly error: MllpError;
      /**
       * The first bytes of the oversized frame, so a NAK can still name its MSH-10. Kept out of
       * the error on purpose: errors get logged, and these bytes may hold patient data.
       */
      readonly head: Buffer;
    };

export interface MllpFrameDecoderOptions {
  /** Largest payload accepted, in bytes (framing excluded). Default 1 MiB. */
  readonly maxFrameBytes?: number;
}

type State = 'between-frames' | 'in-frame' | 'discarding';

/**
 * Turns a byte stream into MLLP payloads: `<VT>payload<FS><CR>`.
 *
 * Frames may be split across any number of reads, and one read may hold several frames. Bytes
 * before a start block are ignored and counted in `bytesOutsideFrames`, and so is a partial
 * frame abandoned because a new start block arrived before its end. An `<FS>` not followed by
 * `<CR>` is payload. A frame that grows past `maxFrameBytes` yields one `oversize` event; the
 * rest of it is discarded up to its end block (or the next start block), after which decoding
 * resumes, so the caller may either answer and carry on or close the connection.
 */
export class MllpFrameDecoder {
  private readonly maxFrameBytes: number;
  private state: State = 'between-frames';
  private chunks: Buffer[] = [];
  private length = 0;
  /** The previous read ended with `<FS>` inside a frame; the next byte decides whether it was the end. */
  private endBlockPending = false;
  private outside = 0;

  constructor(options: MllpFrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes that belonged to no complete frame: noise between frames and abandoned partial frames. */
  get bytesOutsideFrames(): number {
    return this.outside;
  }

  /** Bytes of the frame being received. */
  get bufferedBytes(): number {
    return this.length;
  }

  push(chunk: Buffer): MllpDecoderEvent[] {
    const events: MllpDecoderEvent[] = [];
    let i = 0;
    if (this.endBlockPending && chunk.length > 0) {
      this.endBlockPending = false;
      if (chunk[0] === CARRIAGE_RETURN) {
        this.endFrame(events);
        i = 1;
      } else {
        this.append(Buffer.of(END_BLOCK), events);
      }
    }
    while (i < chunk.length) {
      if (this.state === 'between-frames') {
        const start = chunk.indexOf(START_BLOCK, i);
        const noiseEnd = start === -1 ? chunk.length : start;
        this.outside += noiseEnd - i;
        if (start !== -1) {
          this.startFrame();
        }
        i = noiseEnd + 1;
        continue;
      }
      const control = nextControlByte(chunk, i);
      if (control === -1) {
        this.append(chunk.subarray(i), events);
        break;
      }
      this.append(chunk.subarray(i, control), events);
      if (chunk[control] === START_BLOCK) {
        this.abandonFrame();
        this.startFrame();
        i = control + 1;
      } else if (control + 1 === chunk.length) {
        this.endBlockPending = true;
        break;
      } else if (chunk[control + 1] === CARRIAGE_RETURN) {
        this.endFrame(events);
        i = control + 2;
      } else {
        this.append(chunk.subarray(control, control + 1), events);
        i = control + 1;
      }
    }
    return events;
  }

  private startFrame(): void {
    this.state = 'in-frame';
    this.chunks = [];
    this.length = 0;
  }

  private abandonFrame(): void {
    if (this.state === 'in-frame') {
      this.outside += this.length + 1;
    }
  }

  private append(bytes: Buffer, events: MllpDecoderEvent[]): void {
    if (this.state !== 'in-frame' || bytes.length === 0) {
      return;
    }
    if (this.length + bytes.length > this.maxFrameBytes) {
      const head = Buffer.concat([...this.chunks, bytes], this.length + bytes.length).subarray(0, OVERSIZE_HEAD_BYTES);
      events.push({
        type: 'oversize',
        error: new MllpError(MllpErrorCode.FrameTooLarge, `an MLLP frame exceeded ${this.maxFrameBytes} bytes`),
        head: Buffer.from(head),
      });
      this.state = 'discarding';
      this.chunks = [];
      this.length = 0;
      return;
    }
    // Copied, since the caller may reuse the read buffer.
    this.chunks.push(Buffer.from(bytes));
    this.length += bytes.length;
  }

  private endFrame(events: MllpDecoderEvent[]): void {
    if (this.state === 'in-frame') {
      events.push({ type: 'frame', frame: this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length) });
    }
    this.state = 'between-frames';
    this.chunks = [];
    this.length = 0;
  }
}

function nextControlByte(chunk: Buffer, from: number): number {
  const end = chunk.indexOf(END_BLOCK, from);
  const start = chunk.indexOf(START_BLOCK, from);
  if (end === -1) {
    return start;
  }
  return start === -1 ? end : Math.min(start, end);
}
