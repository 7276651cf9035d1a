import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeSmtpServer, createTestPki, eventually, repoRoot } from '@sc/testing';
import { NotifierUnderTest, notificationRequest, registerRecipient, type Api, type DeliveryJson, type NotificationJson } from './notifier-fixtures';

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

  /**
   * For the enclosing describe: a relay that requires `mode` and AUTH PLAIN, and a notifier that
   * trusts the test CA only through the setting production would use and mails `recipientId` through it.
   */
  function encryptedRelayAndNotifier(mode: 'starttls' | 'implicit', recipientId: string): { relay: FakeSmtpServer; notifier: NotifierUnderTest } {
    const started = {} as { relay: FakeSmtpServer; notifier: NotifierUnderTest };
    beforeAll(async () => {
      started.relay = await FakeSmtpServer.start({ tls: { mode, ...pki.server }, requireAuth: { user: SMTP_USER, password: SMTP_PASSWORD } });
      started.notifier = await NotifierUnderTest.start(
        {
          SMTP_TLS: mode,
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
        started.relay,
      );
      await registerRecipient(started.notifier.api, recipientId, { channels: ['email'], email: `${recipientId}@hospital.test` });
    }, 120_000);
    afterAll(async () => {
      await started.notifier?.stop();
    }, 60_000);
    return started;
  }

  async function settledEmail(api: Api, notificationId: string, status: 'delivered' | 'failed'): Promise<DeliveryJson> {
    return eventually(async () => {
      const { deliveries } = await api.ok<NotificationJson>('GET', `/v1/notifications/${notificationId}`);
      const email = deliveries.find((delivery) => delivery.channel === 'email');
      return email?.status === status ? email : undefined;
    }, 20_000);
  }

  describe('SMTP_TLS=starttls', () => {
    const run = encryptedRelayAndNotifier('starttls', 'nurse-tls');

    beforeEach(() => {
      run.relay.plainTextCommands.length = 0;
      run.relay.offerStartTls = true;
      run.relay.requireAuth = { user: SMTP_USER, password: SMTP_PASSWORD };
    });

    it('delivers over STARTTLS after AUTH PLAIN, saying nothing but EHLO and STARTTLS in plain text', async () => {
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await run.notifier.publisher.publish(request);
      await settledEmail(run.notifier.api, request.data.notificationId, 'delivered');
      const mail = run.relay.messages.find((candidate) => candidate.data.includes(request.data.notificationId));
      expect(mail).toMatchObject({ secure: true, user: SMTP_USER, to: ['nurse-tls@hospital.test'] });
      expect(run.relay.plainTextCommands).toEqual(['EHLO', 'STARTTLS']);
    }, 60_000);

    it('dead-letters a delivery the relay refuses for a wrong password, keeping the password out of the record and the log', async () => {
      run.relay.requireAuth = { user: SMTP_USER, password: 'rotated-by-the-mail-admin' };
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await run.notifier.publisher.publish(request);

      // 535 is a permanent reply (RFC 4954): no retries, a dead letter for a person to redrive.
      const failed = await settledEmail(run.notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 1, lastError: 'SMTP_535' });
      expect(run.relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
      const { rows } = await run.notifier.db.query<{ row: string }>('SELECT row_to_json(d)::text AS row FROM deliveries d');
      expect(rows.some(({ row }) => row.includes(SMTP_PASSWORD))).toBe(false);
      const log = readFileSync(path.join(repoRoot(), '.run', 'test-logs', run.notifier.system.runId, 'notifier.log'), 'utf8');
      expect(log).toContain('SMTP_535');
      expect(log).not.toContain(SMTP_PASSWORD);
      expect(log).not.toContain(Buffer.from(`\u0000${SMTP_USER}\u0000${SMTP_PASSWORD}`).toString('base64'));

      run.relay.requireAuth = { user: SMTP_USER, password: SMTP_PASSWORD };
      await run.notifier.api.ok('POST', `/v1/deliveries/${failed.id}/retry`);
      await settledEmail(run.notifier.api, request.data.notificationId, 'delivered');
    }, 60_000);

    it('refuses a relay that stops offering STARTTLS rather than falling back to plain text, retrying per the policy', async () => {
      run.relay.offerStartTls = false;
      const request = notificationRequest({ recipientId: 'nurse-tls', urgency: 'urgent' });
      await run.notifier.publisher.publish(request);

      const failed = await settledEmail(run.notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 3, lastError: 'SMTP_STARTTLS' });
      expect(run.relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
      // Each of the three attempts said hello and left: no AUTH, no MAIL, no message in the clear.
      expect(run.relay.plainTextCommands).toEqual(['EHLO', 'EHLO', 'EHLO']);
    }, 60_000);
  });

  describe('SMTP_TLS=implicit', () => {
    const run = encryptedRelayAndNotifier('implicit', 'nurse-smtps');

    it('delivers over implicit TLS after AUTH PLAIN', async () => {
      const request = notificationRequest({ recipientId: 'nurse-smtps', urgency: 'urgent' });
      await run.notifier.publisher.publish(request);
      await settledEmail(run.notifier.api, request.data.notificationId, 'delivered');
      expect(run.relay.messages.find((mail) => mail.data.includes(request.data.notificationId))).toMatchObject({ secure: true, user: SMTP_USER });
      expect(run.relay.plainTextCommands).toEqual([]);
    }, 60_000);

    it('refuses a relay whose certificate a CA other than SMTP_TLS_CA issued', async () => {
      run.relay.presentCertificate(untrusted.server);
      const request = notificationRequest({ recipientId: 'nurse-smtps', urgency: 'urgent' });
      await run.notifier.publisher.publish(request);
      const failed = await settledEmail(run.notifier.api, request.data.notificationId, 'failed');
      expect(failed).toMatchObject({ attempts: 3, lastError: 'SMTP_CONNECT' });
      expect(run.relay.messages.some((mail) => mail.data.includes(request.data.notificationId))).toBe(false);
    }, 60_000);
  });
});
