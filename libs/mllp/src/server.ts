import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { buildNakForUnparseable, decodeHl7Bytes } from '@sc/hl7';
import { MllpError, MllpErrorCode } from './errors';
import { MllpFrameDecoder } from './frame-decoder';
import { encodeMllpFrame } from './framing';

export interface MllpFrameMeta {
  readonly remoteAddress: string;
  readonly connectionId: string;
  /** SHA-256 fingerprint of the client certificate, with mutual TLS. */
  readonly peerCertificateFingerprint?: string;
}

/**
 * Answers one frame with the acknowledgment to send back, or with several messages sent in order
 * (e.g. an enhanced-mode commit acknowledgment followed by the application acknowledgment), or
 * with none (a sender that asked for no acknowledgment).
 */
export type MllpHandler = (frame: Buffer, meta: MllpFrameMeta) => Promise<string | readonly string[]>;

export type MllpErrorPhase = 'handler' | 'socket' | 'tls-handshake' | 'oversize';

export interface MllpErrorContext {
  readonly phase: MllpErrorPhase;
  readonly connectionId?: string;
  readonly remoteAddress?: string;
}

export interface MllpServerOptions {
  /** Bind address. Default 127.0.0.1, so exposing the port is a deliberate choice. */
  readonly host?: string;
  /** 0 picks a free port; read it from `port` after `listen()`. Default 0. */
  readonly port?: number;
  /** Serve MLLP over TLS. For mutual TLS set `requestCert: true` and `ca` (unauthorized clients are refused). */
  readonly tls?: tls.TlsOptions;
  /** Close a connection after this long without traffic while nothing is being processed. Default: never. */
  readonly idleTimeoutMs?: number;
  /** Largest payload accepted; a larger frame is NAKed and its connection closed. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Connections above this are refused at accept. Default: no limit. */
  readonly maxConnections?: number;
  /** Stop reading from a connection while this many frames wait for the handler. Default 16. */
  readonly maxQueuedFrames?: number;
  /**
   * Frames of one connection handed to the handler before the first of them is answered, for
   * senders that pipeline. Replies still go out in frame order, and handler calls start in frame
   * order. Default 1: one frame at a time.
   */
  readonly maxConcurrentFrames?: number;
  /** How long `close()` waits for in-flight frames before destroying sockets. Default 10 s. */
  readonly closeTimeoutMs?: number;
  /**
   * Failures worth logging. This library never puts frame content in what it passes; a handler's
   * own errors are passed as thrown, so keep patient data out of those.
   */
  readonly onError?: (error: unknown, context: MllpErrorContext) => void;
}

export interface MllpServerStats {
  /** Connections accepted since start. */
  readonly connections: number;
  readonly activeConnections: number;
  /** Connections refused because of `maxConnections`. */
  readonly rejectedConnections: number;
  /** Complete frames received. */
  readonly frames: number;
  readonly bytesOutsideFrames: number;
  readonly oversizeFrames: number;
  /** Frames whose handler rejected, answered with a NAK. */
  readonly handlerFailures: number;
}

type MutableStats = { -readonly [K in keyof MllpServerStats]: MllpServerStats[K] };

const DEFAULT_MAX_QUEUED_FRAMES = 16;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** After we end a connection, how long the peer gets to close its side. */
const END_GRACE_MS = 5_000;

/**
 * An MLLP listener (plain TCP or TLS) that hands each frame to a handler and sends back the
 * acknowledgment it returns.
 *
 * Frames on one connection are answered in order, so a sender may pipeline; they are handled one
 * at a time unless `maxConcurrentFrames` allows more. A handler may answer a frame with several
 * messages (written back to back, in order) or with none. A handler that rejects gets a NAK
 * (AR/AE, built by `buildNakForUnparseable`) and the connection stays open. An oversized frame is
 * NAKed and its connection closed after the replies to the frames before it. `close()` stops
 * accepting, lets queued frames finish, then ends the connections.
 */
export class MllpServer {
  private readonly server: net.Server;
  private readonly connections = new Set<MllpConnection>();
  private readonly counters: MutableStats = {
    connections: 0,
    activeConnections: 0,
    rejectedConnections: 0,
    frames: 0,
    bytesOutsideFrames: 0,
    oversizeFrames: 0,
    handlerFailures: 0,
  };
  private closing?: Promise<void>;

  constructor(
    private readonly handler: MllpHandler,
    private readonly options: MllpServerOptions = {},
  ) {
    const onSocket = (socket: net.Socket): void => this.accept(socket);
    this.server = options.tls ? tls.createServer(options.tls, onSocket) : net.createServer(onSocket);
    if (options.maxConnections !== undefined) {
      this.server.maxConnections = options.maxConnections;
    }
    this.server.on('drop', () => {
      this.counters.rejectedConnections += 1;
    });
    this.server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
      this.report(error, { phase: 'tls-handshake', remoteAddress: socket.remoteAddress });
    });
  }

  /** Starts listening; resolves once the port is bound. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new MllpError(MllpErrorCode.NotConnected, 'the MLLP server is not listening');
    }
    return address.port;
  }

  get stats(): MllpServerStats {
    return { ...this.counters, activeConnections: this.connections.size };
  }

  /** Stops accepting, waits for queued and in-flight frames (up to `closeTimeoutMs`), then ends every connection. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.server.listening) {
      return;
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) {
      connection.finish();
    }
    const deadline = setTimeout(() => {
      for (const connection of this.connections) {
        connection.destroy();
      }
    }, this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
    }
  }

  private accept(socket: net.Socket): void {
    this.counters.connections += 1;
    const connection = new MllpConnection(socket, {
      handler: this.handler,
      maxFrameBytes: this.options.maxFrameBytes,
      maxQueuedFrames: this.options.maxQueuedFrames ?? DEFAULT_MAX_QUEUED_FRAMES,
      maxConcurrentFrames: Math.max(1, this.options.maxConcurrentFrames ?? 1),
      idleTimeoutMs: this.options.idleTimeoutMs,
      stats: this.counters,
      report: (error, context) => this.report(error, context),
    });
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    if (this.closing) {
      connection.finish();
    }
  }

  private report(error: unknown, context: MllpErrorContext): void {
    try {
      this.options.onError?.(error, context);
    } catch {
      // A failing error hook must not take the listener down.
    }
  }
}

interface ConnectionSettings {
  readonly handler: MllpHandler;
  readonly maxFrameBytes?: number;
  readonly maxQueuedFrames: number;
  readonly maxConcurrentFrames: number;
  readonly idleTimeoutMs?: number;
  readonly stats: MutableStats;
  readonly report: (error: unknown, context: MllpErrorContext) => void;
}

type QueueItem = { readonly kind: 'frame'; readonly frame: Buffer } | { readonly kind: 'oversize'; readonly head: Buffer };

class MllpConnection {
  private readonly decoder: MllpFrameDecoder;
  private readonly meta: MllpFrameMeta;
  private readonly queue: QueueItem[] = [];
  private processing = false;
  private corked = false;
  /** No more frames are taken: the server is closing or an oversized frame was seen. */
  private finishing = false;
  private ended = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly settings: ConnectionSettings,
  ) {
    this.decoder = new MllpFrameDecoder({ maxFrameBytes: settings.maxFrameBytes });
    const fingerprint = socket instanceof tls.TLSSocket ? socket.getPeerCertificate().fingerprint256 : undefined;
    this.meta = {
      remoteAddress: socket.remoteAddress ?? 'unknown',
      connectionId: randomUUID(),
      ...(fingerprint ? { peerCertificateFingerprint: fingerprint } : {}),
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.settings.report(error, { phase: 'socket', ...this.meta }));
    if (settings.idleTimeoutMs) {
      socket.setTimeout(settings.idleTimeoutMs, () => this.onIdle());
    }
  }

  /** Answers what was already received, then ends the connection. */
  finish(): void {
    this.finishing = true;
    this.socket.resume();
    if (!this.processing && this.queue.length === 0) {
      this.end();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.finishing) {
      return;
    }
    const stats = this.settings.stats;
    const outsideBefore = this.decoder.bytesOutsideFrames;
    for (const event of this.decoder.push(chunk)) {
      if (event.type === 'frame') {
        stats.frames += 1;
        this.queue.push({ kind: 'frame', frame: event.frame });
        continue;
      }
      stats.oversizeFrames += 1;
      this.settings.report(event.error, { phase: 'oversize', ...this.meta });
      this.queue.push({ kind: 'oversize', head: event.head });
      this.finishing = true;
      break;
    }
    stats.bytesOutsideFrames += this.decoder.bytesOutsideFrames - outsideBefore;
    if (this.queue.length >= this.settings.maxQueuedFrames && !this.finishing) {
      this.socket.pause();
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.processing) {
      return;
    }
    this.processing = true;
    const answering: Array<Promise<Buffer>> = [];
    try {
      while (!this.socket.destroyed) {
        // Start handlers in frame order, up to the window; frames that arrive meanwhile join it as replies go out.
        for (let item = this.queue[0]; item !== undefined && answering.length < this.settings.maxConcurrentFrames; item = this.queue[0]) {
          this.queue.shift();
          answering.push(item.kind === 'frame' ? this.answer(item.frame) : Promise.resolve(oversizeNak(item.head)));
        }
        const next = answering.shift();
        if (next === undefined) {
          break;
        }
        await this.write(await next);
        if (this.socket.isPaused() && this.queue.length <= this.settings.maxQueuedFrames / 2 && !this.finishing) {
          this.socket.resume();
        }
      }
    } catch (error) {
      this.settings.report(error, { phase: 'socket', ...this.meta });
      this.socket.destroy();
    } finally {
      // Handlers still running when the socket broke finish on their own; their replies have nowhere to go.
      this.processing = false;
    }
    if (this.finishing && this.queue.length === 0) {
      this.end();
    }
  }

  private async answer(frame: Buffer): Promise<Buffer> {
    try {
      const reply = await this.settings.handler(frame, this.meta);
      return typeof reply === 'string' ? encodeMllpFrame(reply) : Buffer.concat(reply.map((message) => encodeMllpFrame(message)));
    } catch (error) {
      this.settings.stats.handlerFailures += 1;
      this.settings.report(error, { phase: 'handler', ...this.meta });
      return encodeMllpFrame(buildNakForUnparseable(decodeHl7Bytes(frame), error));
    }
  }

  /**
   * Queues a reply. Replies ready in the same tick leave in one write (one system call), and a
   * full socket buffer pauses the queue; write errors arrive as the socket's 'error' event.
   */
  private async write(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) {
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (!this.socket.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  private onIdle(): void {
    if (!this.processing && this.queue.length === 0) {
      this.end();
    }
  }

  private end(): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.socket.end();
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }
}

/** Names the frame's MSH-10 when its first segment arrived whole; a cut MSH could echo a wrong control id. */
function oversizeNak(head: Buffer): Buffer {
  const text = decodeHl7Bytes(head);
  const firstSegmentEnd = text.search(/[\r\n]/);
  const header = firstSegmentEnd === -1 ? '' : text.slice(0, firstSegmentEnd);
  return encodeMllpFrame(buildNakForUnparseable(header, new MllpError(MllpErrorCode.FrameTooLarge, 'frame too large'), { diagnostic: 'the MLLP frame exceeds the maximum size' }));
}
