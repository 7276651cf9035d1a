import net from 'node:net';
import { buildAck, decodeHl7Bytes, parseHl7 } from '@sc/hl7';
import { MllpFrameDecoder } from '../frame-decoder';
import type { MllpFrameMeta } from '../server';

/** A small ADT message with the given MSH-10. */
export function hl7Message(controlId: string): string {
  return `MSH|^~\\&|EPIC|LGH|SC|SC|20261120143100-0600||ADT^A03^ADT_A03|${controlId}|P|2.5.1\rPID|1||MRN1^^^LGH^MR\r`;
}

/** Parses the frame and acknowledges it with AA; rejects (so the server NAKs) when it does not parse. */
export const ackingHandler = (frame: Buffer, _meta?: MllpFrameMeta): Promise<string> =>
  Promise.resolve().then(() => {
    const message = parseHl7(decodeHl7Bytes(frame));
    return buildAck(message, { code: 'AA', controlId: `ACK-${message.get('MSH-10') ?? ''}` });
  });

/** MSA-1 and MSA-2 of an acknowledgment. */
export function ackSummary(ack: string): { code: string | undefined; controlId: string | undefined } {
  const message = parseHl7(ack);
  return { code: message.get('MSA-1'), controlId: message.get('MSA-2') };
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A plain socket that writes arbitrary bytes and collects whatever frames come back. */
export class RawMllpPeer {
  readonly replies: string[] = [];
  private readonly decoder = new MllpFrameDecoder();
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (event.type === 'frame') {
          this.replies.push(decodeHl7Bytes(event.frame));
        }
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake(true));
  }

  static connect(port: number): Promise<RawMllpPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawMllpPeer(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Writes the chunks one by one, letting the event loop run between them so they arrive as separate reads. */
  async write(...chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      if (this.socket.destroyed) {
        return;
      }
      await new Promise<void>((resolve) => this.socket.write(chunk, () => resolve()));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves once `count` replies have arrived in total, or the connection closed. */
  waitForReplies(count: number): Promise<void> {
    if (this.replies.length >= count || this.socket.destroyed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(all = false): void {
    for (const waiter of [...this.waiters]) {
      if (all || this.replies.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

/** Retries an assertion until it passes or `timeoutMs` elapses (for effects on the other end of a socket). */
export async function eventually(assertion: () => void, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
