import net from 'node:net';
import tls from 'node:tls';
import type { SmtpTlsMode } from '../../config';

export interface SmtpOptions {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  user?: string;
  password?: string;
  /** PEM CA certificate(s) trusted for the relay instead of the system's; its name or IP is verified either way. */
  ca?: string;
  /** Inactivity limit per step. */
  timeoutMs: number;
  /** Our name in EHLO. */
  clientName: string;
}

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

/** A failed SMTP step. 5xx replies are permanent (RFC 5321 4.2.1); 4xx and broken connections may heal. */
export class SmtpError extends Error {
  constructor(
    readonly step: string,
    readonly replyCode: number | null,
    message: string,
  ) {
    super(message);
    this.name = SmtpError.name;
  }

  get permanent(): boolean {
    return this.replyCode !== null && this.replyCode >= 500;
  }
}

interface Reply {
  code: number;
  lines: string[];
}

type Socket = net.Socket | tls.TLSSocket;

/** One SMTP conversation: lines in, replies (multi-line aware) out, one step at a time. */
class SmtpSession {
  private socket: Socket | undefined;
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private finished = false;

  private readonly onData = (chunk: Buffer): void => {
    this.buffer += chunk.toString('utf8');
    let end = this.buffer.indexOf('\n');
    while (end >= 0) {
      this.lines.push(this.buffer.slice(0, end).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(end + 1);
      end = this.buffer.indexOf('\n');
    }
    this.deliverLine();
  };
  private readonly onTimeout = (): void => {
    this.fail(new SmtpError('timeout', null, 'SMTP server did not answer in time'));
    this.socket?.destroy();
  };
  private readonly onError = (error: Error): void => this.fail(new SmtpError('connection', null, error.message));
  private readonly onClose = (): void => this.fail(new SmtpError('connection', null, 'SMTP connection closed'));

  constructor(private readonly options: SmtpOptions) {}

  async open(): Promise<void> {
    const { host, port } = this.options;
    const socket = this.options.tls === 'implicit' ? tls.connect({ ...this.tlsOptions(), port }) : net.connect({ host, port });
    await this.connected(socket, this.options.tls === 'implicit' ? 'secureConnect' : 'connect');
  }

  /** STARTTLS: the plain socket becomes the transport of a TLS socket; the certificate is verified. */
  async upgrade(): Promise<void> {
    const plain = this.socket;
    if (!plain) {
      throw new SmtpError('starttls', null, 'not connected');
    }
    // Anything the server sent after its 220 came before encryption and could be an injected reply.
    if (this.lines.length > 0 || this.buffer.length > 0) {
      throw new SmtpError('starttls', null, 'SMTP server sent data before the TLS handshake');
    }
    this.detach(plain);
    await this.connected(tls.connect({ ...this.tlsOptions(), socket: plain }), 'secureConnect');
  }

  /** The certificate must name `host` (a DNS name or an IP address); SNI is only sent for names. */
  private tlsOptions(): tls.ConnectionOptions {
    const { host, ca } = this.options;
    return { host, ca, rejectUnauthorized: true, ...(net.isIP(host) === 0 ? { servername: host } : {}) };
  }

  async command(step: string, line: string, expected: readonly number[]): Promise<Reply> {
    this.socket?.write(`${line}\r\n`);
    return this.expect(step, expected);
  }

  async expect(step: string, expected: readonly number[]): Promise<Reply> {
    const reply = await this.reply();
    if (!expected.includes(reply.code)) {
      throw new SmtpError(step, reply.code, `SMTP ${step} answered ${reply.code}`);
    }
    return reply;
  }

  close(): void {
    this.finished = true;
    if (this.socket) {
      this.detach(this.socket);
      this.socket.on('error', () => undefined);
      this.socket.end();
    }
  }

  private connected(socket: Socket, readyEvent: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise((resolve, reject) => {
      const onFailure = (error: Error): void => {
        socket.destroy();
        reject(new SmtpError('connect', null, error.message));
      };
      const onTimeout = (): void => onFailure(new Error('connect timed out'));
      socket.once('error', onFailure);
      socket.once('timeout', onTimeout);
      socket.setTimeout(this.options.timeoutMs);
      socket.once(readyEvent, () => {
        socket.off('error', onFailure);
        socket.off('timeout', onTimeout);
        this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setTimeout(this.options.timeoutMs);
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.setTimeout(0);
  }

  private fail(error: Error): void {
    if (this.finished || this.failure) {
      return;
    }
    this.failure = error;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }

  private deliverLine(): void {
    if (this.waiter && this.lines.length > 0) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(this.lines.shift() as string);
    }
  }

  private nextLine(): Promise<string> {
    if (this.lines.length > 0) {
      return Promise.resolve(this.lines.shift() as string);
    }
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.nextLine();
      const code = Number(line.slice(0, 3));
      if (!Number.isInteger(code) || code < 200 || code > 599) {
        throw new SmtpError('reply', null, 'SMTP server sent a malformed reply');
      }
      lines.push(line.slice(4));
      if (line[3] !== '-') {
        return { code, lines };
      }
    }
  }
}

/** Lines that start with a dot get another one (RFC 5321 4.5.2); line ends become CRLF. */
export function dotStuff(message: string): string {
  return message
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((line) => (line.startsWith('.') ? `.${line}` : line))
    .join('\r\n');
}

/**
 * Sends one message over SMTP (RFC 5321): EHLO (HELO for old servers), STARTTLS when asked,
 * AUTH PLAIN when a user is configured, MAIL, RCPT, DATA, QUIT. Throws an SmtpError that says
 * whether a retry can help.
 */
export async function sendMail(options: SmtpOptions, envelope: SmtpEnvelope, message: string): Promise<void> {
  const session = new SmtpSession(options);
  await session.open();
  try {
    await session.expect('greeting', [220]);
    let hello = await session.command('ehlo', `EHLO ${options.clientName}`, [250, 500, 502]);
    if (hello.code !== 250) {
      hello = await session.command('helo', `HELO ${options.clientName}`, [250]);
    }
    if (options.tls === 'starttls') {
      if (!hello.lines.some((line) => /^STARTTLS\b/i.test(line))) {
        throw new SmtpError('starttls', null, 'SMTP server does not offer STARTTLS');
      }
      await session.command('starttls', 'STARTTLS', [220]);
      await session.upgrade();
      await session.command('ehlo', `EHLO ${options.clientName}`, [250]);
    }
    if (options.user) {
      const token = Buffer.from(`\u0000${options.user}\u0000${options.password ?? ''}`).toString('base64');
      await session.command('auth', `AUTH PLAIN ${token}`, [235]);
    }
    await session.command('mail', `MAIL FROM:<${envelope.from}>`, [250]);
    for (const recipient of envelope.to) {
      await session.command('rcpt', `RCPT TO:<${recipient}>`, [250, 251]);
    }
    await session.command('data', 'DATA', [354]);
    await session.command('message', `${dotStuff(message)}\r\n.`, [250]);
    await session.command('quit', 'QUIT', [221]).catch(() => undefined);
  } finally {
    session.close();
  }
}
