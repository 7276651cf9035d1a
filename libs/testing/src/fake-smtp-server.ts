import net from 'node:net';
import tls from 'node:tls';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent after DATA (headers and body), dot-unstuffed, CRLF line ends. */
  data: string;
  receivedAt: number;
  /** Whether the message came over TLS. */
  secure: boolean;
  /** Who had authenticated with AUTH before sending it, if anyone. */
  user?: string;
}

interface KeyAndCertificate {
  key: string | Buffer;
  cert: string | Buffer;
}

export interface FakeSmtpOptions {
  /** Answer the first N messages' end of DATA with 451 (transient), to exercise retries. */
  failDataTimes?: number;
  /** 'starttls' offers STARTTLS after EHLO (RFC 3207); 'implicit' speaks TLS from the first byte (RFC 8314). */
  tls?: KeyAndCertificate & { mode: 'starttls' | 'implicit' };
  /** Refuse MAIL until AUTH PLAIN gave these credentials; AUTH is only offered once encrypted, so this needs `tls`. */
  requireAuth?: { user: string; password: string };
}

/**
 * A tiny SMTP server on 127.0.0.1 for tests and demos: speaks enough of RFC 5321 (EHLO/HELO,
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive what a client sends, and keeps it in memory.
 * With `tls` and `requireAuth` it plays a relay that insists on encryption and credentials.
 */
export class FakeSmtpServer {
  readonly messages: ReceivedMail[] = [];
  /** The verbs heard before encryption, so a test can prove nothing else went out in the clear. */
  readonly plainTextCommands: string[] = [];
  /** Turned off, a STARTTLS server stops offering it, as a downgrading man in the middle would. */
  offerStartTls = true;
  /** Changeable while running, to play a relay whose password the mail admin rotated. */
  requireAuth: FakeSmtpOptions['requireAuth'];
  private readonly tlsMode: 'starttls' | 'implicit' | undefined;
  private secureContext: tls.SecureContext | undefined;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private failuresLeft: number;
  private waiters: Array<() => void> = [];

  private constructor(options: FakeSmtpOptions) {
    if (options.requireAuth && !options.tls) {
      throw new Error('requireAuth needs tls: AUTH is only offered on an encrypted connection');
    }
    this.failuresLeft = options.failDataTimes ?? 0;
    this.requireAuth = options.requireAuth;
    this.tlsMode = options.tls?.mode;
    const certificate = options.tls && { key: options.tls.key, cert: options.tls.cert };
    this.secureContext = certificate && tls.createSecureContext(certificate);
    this.server =
      certificate && this.tlsMode === 'implicit'
        ? tls.createServer(certificate, (socket) => this.converse(socket, true))
        : net.createServer((socket) => this.converse(socket, false));
  }

  static async start(options: FakeSmtpOptions = {}): Promise<FakeSmtpServer> {
    const server = new FakeSmtpServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** From now on, present this certificate (e.g. one a CA the client does not trust issued). */
  presentCertificate(certificate: KeyAndCertificate): void {
    this.secureContext = tls.createSecureContext(certificate);
    if (this.server instanceof tls.Server) {
      this.server.setSecureContext(certificate);
    }
  }

  /** Resolves with the first received message matching `predicate` (already received ones included). */
  async waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 15_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) {
        return found;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`no matching mail within ${timeoutMs} ms (${this.messages.length} received)`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `greet` is false after STARTTLS: the client speaks first, with a fresh EHLO (RFC 3207 section 4.2). */
  private converse(socket: net.Socket, secure: boolean, greet = true): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let user: string | undefined;
    let data: string[] | undefined;
    let handedOver = false;
    /** Writes one reply; every line but the last carries the `-` continuation mark (RFC 5321 section 4.2.1). */
    const reply = (...lines: string[]): void => {
      socket.write(lines.map((line, index) => `${line.slice(0, 3)}${index < lines.length - 1 ? '-' : ' '}${line.slice(4)}\r\n`).join(''));
    };
    const canStartTls = (): boolean => !secure && this.tlsMode === 'starttls' && this.offerStartTls;
    const handleLine = (line: string): void => {
      if (data) {
        if (line !== '.') {
          data.push(line.startsWith('..') ? line.slice(1) : line);
          return;
        }
        const message = data.join('\r\n');
        data = undefined;
        if (this.failuresLeft > 0) {
          this.failuresLeft -= 1;
          reply('451 4.3.0 try again later');
          return;
        }
        this.messages.push({ from, to, data: message, receivedAt: Date.now(), secure, user });
        reply('250 2.0.0 queued');
        const waiters = this.waiters;
        this.waiters = [];
        waiters.forEach((wake) => wake());
        return;
      }
      const verb = line.split(' ')[0].toUpperCase();
      if (!secure) {
        this.plainTextCommands.push(verb);
      }
      switch (verb) {
        case 'EHLO':
          reply(
            '250 fake-smtp greets you',
            ...(canStartTls() ? ['250 STARTTLS'] : []),
            ...(secure && this.requireAuth ? ['250 AUTH PLAIN'] : []),
            '250 8BITMIME',
            '250 SIZE 10485760',
          );
          break;
        case 'HELO':
          reply('250 fake-smtp');
          break;
        case 'STARTTLS':
          if (!canStartTls()) {
            reply('502 5.5.1 STARTTLS not offered');
            break;
          }
          reply('220 2.0.0 ready to start TLS');
          // Whatever the client sent after STARTTLS in the clear is dropped, as RFC 3207 requires.
          handedOver = true;
          socket.removeAllListeners('data');
          this.converse(new tls.TLSSocket(socket, { isServer: true, secureContext: this.secureContext }), true, false);
          break;
        case 'AUTH': {
          if (!this.requireAuth) {
            reply('502 5.5.2 command not implemented');
            break;
          }
          if (!secure) {
            reply('538 5.7.11 encryption required for AUTH');
            break;
          }
          const [, mechanism, token] = line.split(' ');
          const [, name, password] = Buffer.from(token ?? '', 'base64').toString('utf8').split('\u0000');
          if (mechanism?.toUpperCase() === 'PLAIN' && name === this.requireAuth.user && password === this.requireAuth.password) {
            user = name;
            reply('235 2.7.0 authenticated');
          } else {
            reply('535 5.7.8 authentication credentials invalid');
          }
          break;
        }
        case 'MAIL':
          if (this.requireAuth && !user) {
            reply('530 5.7.0 authentication required');
            break;
          }
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          reply('250 2.1.0 ok');
          break;
        case 'RCPT':
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 2.1.5 ok');
          break;
        case 'DATA':
          data = [];
          reply('354 end data with <CR><LF>.<CR><LF>');
          break;
        case 'RSET':
          from = '';
          to = [];
          reply('250 2.0.0 ok');
          break;
        case 'NOOP':
          reply('250 2.0.0 ok');
          break;
        case 'QUIT':
          reply('221 2.0.0 bye');
          socket.end();
          break;
        default:
          reply('502 5.5.2 command not implemented');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0 && !handedOver; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handleLine(line);
      }
    });
    if (greet) {
      reply('220 fake-smtp ESMTP ready');
    }
  }
}
