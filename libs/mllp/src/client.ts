import net from 'node:net';
import tls from 'node:tls';
import { decodeHl7Bytes } from '@sc/hl7';
import { MllpError, MllpErrorCode } from './errors';
import { MllpFrameDecoder } from './frame-decoder';
import { encodeMllpFrame } from './framing';

export interface MllpClientOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** Connect with TLS; give `ca`, and `cert`/`key` for mutual TLS. */
  readonly tls?: tls.ConnectionOptions;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long each `send` waits for its acknowledgment. Default 30 s. */
  readonly responseTimeoutMs?: number;
  /** Largest acknowledgment accepted. Default 1 MiB. */
  readonly maxFrameBytes?: number;
}

interface PendingSend {
  /** How many reply frames belong to this send. */
  readonly expected: number;
  readonly replies: string[];
  readonly resolve: (replies: string[]) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

/**
 * An MLLP sender. Several `send`s may be outstanding on the one connection (pipelining);
 * acknowledgments are matched to them in order, as MLLP has no other correlation. So when one
 * acknowledgment times out, or the connection breaks, every outstanding send fails and the
 * connection is dropped: later replies could no longer be matched.
 */
export class MllpClient {
  private socket?: net.Socket;
  private readonly pending: PendingSend[] = [];
  private closed?: Promise<void>;

  constructor(private readonly options: MllpClientOptions) {}

  /** Creates a client and connects it. */
  static async connect(options: MllpClientOptions): Promise<MllpClient> {
    const client = new MllpClient(options);
    await client.connect();
    return client;
  }

  /** Acknowledgments awaited. */
  get outstanding(): number {
    return this.pending.length;
  }

  get isConnected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  async connect(): Promise<void> {
    const { host = '127.0.0.1', port, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS } = this.options;
    const secure = this.options.tls;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const connectEvent = secure ? 'secureConnect' : 'connect';
      const candidate = secure ? tls.connect({ host, port, ...secure }) : net.connect({ host, port });
      const timer = setTimeout(() => {
        candidate.destroy();
        reject(new MllpError(MllpErrorCode.ConnectTimeout, `no MLLP connection within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      candidate.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      candidate.once(connectEvent, () => {
        clearTimeout(timer);
        candidate.removeAllListeners('error');
        resolve(candidate);
      });
    });
    socket.setNoDelay(true);
    const decoder = new MllpFrameDecoder({ maxFrameBytes: this.options.maxFrameBytes });
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'oversize') {
          this.fail(event.error);
          return;
        }
        this.settle(decodeHl7Bytes(event.frame));
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new MllpError(MllpErrorCode.ConnectionClosed, 'the MLLP connection closed')));
    this.socket = socket;
    this.closed = undefined;
  }

  /**
   * Sends one message and resolves with its acknowledgment text.
   * @throws MllpError when not connected, on timeout, or when the connection closes first.
   */
  async send(message: string | Buffer): Promise<string> {
    const [ack] = await this.exchange(message, 1);
    return ack;
  }

  /**
   * Sends one message and resolves with the `replies` frames that answer it, e.g. 2 for an
   * enhanced-mode receiver that sends a commit acknowledgment and then an application
   * acknowledgment; 0 resolves once the frame is written.
   * @throws MllpError when not connected, on timeout, or when the connection closes first.
   */
  exchange(message: string | Buffer, replies: number): Promise<string[]> {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      return Promise.reject(new MllpError(MllpErrorCode.NotConnected, 'the MLLP client is not connected'));
    }
    let frame: Buffer;
    try {
      frame = encodeMllpFrame(message);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const timeoutMs = this.options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    if (replies <= 0) {
      return new Promise<string[]>((resolve, reject) => socket.write(frame, (error) => (error ? reject(error) : resolve([]))));
    }
    return new Promise<string[]>((resolve, reject) => {
      const entry: PendingSend = { expected: replies, replies: [], resolve, reject };
      this.pending.push(entry);
      socket.write(frame);
      entry.timer = setTimeout(() => {
        this.fail(new MllpError(MllpErrorCode.ResponseTimeout, `no MLLP acknowledgment within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Ends the connection after what was written is flushed; outstanding sends fail. */
  close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      return Promise.resolve();
    }
    this.closed ??= new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
    return this.closed;
  }

  private settle(reply: string): void {
    const entry = this.pending[0];
    if (!entry) {
      return;
    }
    entry.replies.push(reply);
    if (entry.replies.length >= entry.expected) {
      this.pending.shift();
      clearTimeout(entry.timer);
      entry.resolve(entry.replies);
    }
  }

  private fail(error: Error): void {
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.socket?.destroy();
  }
}
