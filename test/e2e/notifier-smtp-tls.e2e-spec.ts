import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Client } from 'pg';
import { SystemUnderTest, createTestPki, databaseUrl, eventually, repoRoot, type TestPki } from '@sc/testing';
import { Api, RequestPublisher, notificationRequest, registerRecipient, type DeliveryJson, type NotificationJson } from './notifier-fixtures';

interface SecureMail {
  from: string;
  to: string[];
  data: string;
  /** Whether the message came over TLS, and who had authenticated. */
  secure: boolean;
  user: string;
}

/**
 * An SMTP relay for these tests: STARTTLS (offered on request) or implicit TLS with a throwaway
 * certificate, AUTH PLAIN required (and only offered once encrypted), MAIL refused before AUTH.
 * It records every command it heard in plain text, so a test can prove nothing else leaked.
 */
class TlsSmtpServer {
  readonly messages: SecureMail[] = [];
  readonly plainCommands: string[] = [];
  offerStartTls = true;
  private context: tls.SecureContext;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly mode: 'starttls' | 'implicit',
    pki: TestPki,
    private readonly user: string,
    public password: string,
  ) {
    this.context = tls.createSecureContext({ key: pki.server.key, cert: pki.server.cert });
    this.server =
      mode === 'implicit'
        ? tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (socket) => this.converse(socket, true))
        : net.createServer((socket) => this.converse(socket, false));
  }

  static async start(mode: 'starttls' | 'implicit', pki: TestPki, user: string, password: string): Promise<TlsSmtpServer> {
    const server = new TlsSmtpServer(mode, pki, user, password);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** From now on, present this certificate (e.g. one another CA issued). */
  presentCertificate(pki: TestPki): void {
    this.context = tls.createSecureContext({ key: pki.server.key, cert: pki.server.cert });
    if (this.server instanceof tls.Server) {
      this.server.setSecureContext({ key: pki.server.key, cert: pki.server.cert });
    }
  }

  async stop(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private converse(socket: net.Socket, secure: boolean, greet = true): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let user = '';
    let data: string[] | undefined;
    let handedOver = false;
    const reply = (...lines: string[]): void => {
      socket.write(lines.map((line, index) => `${line.slice(0, 3)}${index < lines.length - 1 ? '-' : ' '}${line.slice(4)}\r\n`).join(''));
    };
    const handle = (line: string): void => {
      if (data) {
        if (line !== '.') {
          data.push(line.startsWith('..') ? line.slice(1) : line);
          return;
        }
        this.messages.push({ from, to, data: data.join('\r\n'), secure, user });
        data = undefined;
        reply('250 2.0.0 queued');
        return;
      }
      const verb = line.split(' ')[0].toUpperCase();
      if (!secure) {
        this.plainCommands.push(verb);
      }
      switch (verb) {
        case 'EHLO':
          reply('250 tls-smtp', ...(!secure && this.offerStartTls ? ['250 STARTTLS'] : []), ...(secure ? ['250 AUTH PLAIN'] : []), '250 8BITMIME');
          return;
        case 'STARTTLS': {
          if (secure || !this.offerStartTls) {
            reply('502 5.5.1 STARTTLS not offered');
            return;
          }
          reply('220 2.0.0 ready to start TLS');
          handedOver = true;
          socket.removeAllListeners('data');
          const secured = new tls.TLSSocket(socket, { isServer: true, secureContext: this.context });
          this.converse(secured, true, false);
          return;
        }
        case 'AUTH': {
          if (!secure) {
            reply('538 5.7.11 encryption required for AUTH');
            return;
          }
          const [, mechanism, token] = line.split(' ');
          const [, name, password] = Buffer.from(token ?? '', 'base64').toString('utf8').split('\u0000');
          if (mechanism?.toUpperCase() === 'PLAIN' && name === this.user && password === this.password) {
            user = name;
            reply('235 2.7.0 authenticated');
          } else {
            reply('535 5.7.8 authentication credentials invalid');
          }
          return;
        }
        case 'MAIL':
          if (!user) {
            reply('530 5.7.0 authentication required');
            return;
          }
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          reply('250 2.1.0 ok');
          return;
        case 'RCPT':
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 2.1.5 ok');
          return;
        case 'DATA':
          data = [];
          reply('354 end data with <CR><LF>.<CR><LF>');
          return;
        case 'QUIT':
          reply('221 2.0.0 bye');
          socket.end();
          return;
        default:
          reply('502 5.5.2 command not implemented');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0 && !handedOver; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handle(line);
      }
    });
    if (greet) {
      reply('220 tls-smtp ESMTP ready');
    }
  }
}

const SMTP_USER = 'notifier-relay';
const SMTP_PASSWORD = 'relay-password-e2e-7Qx2';

describe('notifier: email over an encrypted, authenticated SMTP relay', () => {
  const pkiRoot = mkdtempSync(path.join(tmpdir(), 'notifier-smtp-pki-'));
  const pkiDir = (name: string): string => {
    const dir = path.join(pkiRoot, name);
    mkdirSync(dir);
    return dir;
  };
  const pki = createTestPki(pkiDir('trusted'), 'Notifier SMTP Test CA');
  const untrusted = createTestPki(pkiDir('untrusted'), 'Someone Else CA');

  /** A notifier that trusts the test CA only through the setting production would use. */
  async function notifierFor(relay: TlsSmtpServer): Promise<{ system: SystemUnderTest; api: Api; publisher: RequestPublisher; db: Client }> {
    const system = await SystemUnderTest.start({
      services: ['notifier'],
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(relay.port),
        SMTP_TLS: relay.mode,
        SMTP_TLS_CA_FILE: path.join(pki.dir, 'ca.crt'),
        SMTP_USER,
        SMTP_PASSWORD,
        SMTP_TIMEOUT_MS: '2000',
        DELIVERY_POLL_MS: '100',
        DELIVERY_MAX_ATTEMPTS: '3',
        DELIVERY_RETRY_BASE_MS: '100',
        DELIVERY_RETRY_MAX_MS: '400',
        DELIVERY_LEASE_MS: '5000',
        WEBHOOK_TIMEOUT_MS: '2000',
      },
    });
    const db = new Client({ connectionString: databaseUrl(system.runId, 'notifier') });
    await db.connect();
    return { system, api: new Api(system.service('notifier').url(''), system), publisher: await RequestPublisher.connect(system.topics), db };
  }

  async function settledEmail(api: Api, notificationId: string, status: 'delivered' | 'failed'): Promise<DeliveryJson> {
    return eventually(async () => {
      const { deliveries } = await api.ok<NotificationJson>('GET', `/v1/notifications/${notificationId}`);
      const email = deliveries.find((delivery) => delivery.channel === 'email');
      return email?.status === status ? email : undefined;
    }, 20_000);
  }

  describe('SMTP_TLS=starttls', () => {
    let relay: TlsSmtpServer;
    let notifier: Awaited<ReturnType<typeof notifierFor>>;

    beforeAll(async () => {
      relay = await TlsSmtpServer.start('starttls', pki, SMTP_USER, SMTP_PASSWORD);
      notifier = await notifierFor(relay);
      await registerRecipient(notifier.api, 'nurse-tls', { channels: ['email'], email: 'nurse-tls@hospital.test' });
    }, 120_000);

    afterAll(async () => {
      await notifier?.publisher.close();
      await notifier?.db.end();
      await notifier?.system.stop();
      await relay?.stop();
    }, 60_000);

    beforeEach(() => {
      relay.plainCommands.length = 0;
      relay.offerStartTls = true;
      relay.password = SMTP_PASSWORD;
    });

    it('delivers over STARTTLS after AUTH PLAIN, saying nothing but EHLO and STARTTLS in plain text', async () => {
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await notifier.publisher.publish(request);
      await settledEmail(notifier.api, request.data.notificationId, 'delivered');
      const mail = relay.messages.find((candidate) => candidate.data.includes(request.data.notificationId));
      expect(mail).toMatchObject({ secure: true, user: SMTP_USER, to: ['nurse-tls@hospital.test'] });
      expect(relay.plainCommands).toEqual(['EHLO', 'STARTTLS']);
    }, 60_000);

    it('dead-letters a delivery the relay refuses for a wrong password, keeping the password out of the record and the log', async () => {
      relay.password = 'rotated-by-the-mail-admin';
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await notifier.publisher.publish(request);

      // 535 is a permanent reply (RFC 4954): no retries, a dead letter for a person to redrive.
      const failed = await settledEmail(notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 1, lastError: 'SMTP_535' });
      expect(relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
      const { rows } = await notifier.db.query<{ row: string }>('SELECT row_to_json(d)::text AS row FROM deliveries d');
      expect(rows.some(({ row }) => row.includes(SMTP_PASSWORD))).toBe(false);
      const log = readFileSync(path.join(repoRoot(), '.run', 'test-logs', notifier.system.runId, 'notifier.log'), 'utf8');
      expect(log).toContain('SMTP_535');
      expect(log).not.toContain(SMTP_PASSWORD);
      expect(log).not.toContain(Buffer.from(`\u0000${SMTP_USER}\u0000${SMTP_PASSWORD}`).toString('base64'));

      relay.password = SMTP_PASSWORD;
      await notifier.api.ok('POST', `/v1/deliveries/${failed.id}/retry`);
      await settledEmail(notifier.api, request.data.notificationId, 'delivered');
    }, 60_000);

    it('refuses a relay that stops offering STARTTLS rather than falling back to plain text, retrying per the policy', async () => {
      relay.offerStartTls = false;
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await notifier.publisher.publish(request);

      const failed = await settledEmail(notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 3, lastError: 'SMTP_STARTTLS' });
      expect(relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
      // Each of the three attempts said hello and left: no AUTH, no MAIL, no message in the clear.
      expect(relay.plainCommands).toEqual(['EHLO', 'EHLO', 'EHLO']);
    }, 60_000);
  });

  describe('SMTP_TLS=implicit', () => {
    let relay: TlsSmtpServer;
    let notifier: Awaited<ReturnType<typeof notifierFor>>;

    beforeAll(async () => {
      relay = await TlsSmtpServer.start('implicit', pki, SMTP_USER, SMTP_PASSWORD);
      notifier = await notifierFor(relay);
      await registerRecipient(notifier.api, 'nurse-smtps', { channels: ['email'], email: 'nurse-smtps@hospital.test' });
    }, 120_000);

    afterAll(async () => {
      await notifier?.publisher.close();
      await notifier?.db.end();
      await notifier?.system.stop();
      await relay?.stop();
    }, 60_000);

    it('delivers over implicit TLS after AUTH PLAIN', async () => {
      const request = notificationRequest({ recipientId: 'nurse-smtps', urgency: 'urgent' });
      await notifier.publisher.publish(request);
      await settledEmail(notifier.api, request.data.notificationId, 'delivered');
      expect(relay.messages.find((mail) => mail.data.includes(request.data.notificationId))).toMatchObject({ secure: true, user: SMTP_USER });
      expect(relay.plainCommands).toEqual([]);
    }, 60_000);

    it('refuses a relay whose certificate a CA other than SMTP_TLS_CA issued', async () => {
      relay.presentCertificate(untrusted);
      const request = notificationRequest({ recipientId: 'nurse-smtps', urgency: 'urgent' });
      await notifier.publisher.publish(request);
      const failed = await settledEmail(notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 3, lastError: 'SMTP_CONNECT' });
      expect(relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
    }, 60_000);
  });
});
