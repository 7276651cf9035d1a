import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent after DATA (headers and body), dot-unstuffed, CRLF line ends. */
  data: string;
  receivedAt: number;
}

export interface FakeSmtpOptions {
  /** Answer the first N messages' end of DATA with 451 (transient), to exercise retries. */
  failDataTimes?: number;
}

/**
 * A tiny SMTP server on 127.0.0.1 for tests and demos: speaks enough of RFC 5321 (EHLO/HELO,
 * MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive what a client sends, and keeps it in memory.
 */
export class FakeSmtpServer {
  readonly messages: ReceivedMail[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private failuresLeft: number;
  private waiters: Array<() => void> = [];

  private constructor(options: FakeSmtpOptions) {
    this.failuresLeft = options.failDataTimes ?? 0;
    this.server = net.createServer((socket) => this.converse(socket));
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

  private converse(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let data: string[] | undefined;
    const reply = (line: string): void => {
      socket.write(`${line}\r\n`);
    };
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
        this.messages.push({ from, to, data: message, receivedAt: Date.now() });
        reply('250 2.0.0 queued');
        const waiters = this.waiters;
        this.waiters = [];
        waiters.forEach((wake) => wake());
        return;
      }
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
          reply('250-fake-smtp greets you');
          reply('250-8BITMIME');
          reply('250 SIZE 10485760');
          break;
        case 'HELO':
          reply('250 fake-smtp');
          break;
        case 'MAIL':
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
      let end = buffer.indexOf('\r\n');
      while (end >= 0) {
        handleLine(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\r\n');
      }
    });
    reply('220 fake-smtp ESMTP ready');
  }
}
