import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { FakeSmtpServer, type SseClient, type SystemUnderTest, eventually, repoRoot } from '@sc/testing';
import {
  NotifierUnderTest,
  SECRET,
  hhmm,
  notificationRequest,
  registerRecipient,
  secretKeyFile,
  signatureIsValid,
  sleep,
  type Api,
  type DeliveryJson,
  type HookBehaviour,
  type NotificationJson,
  type RequestPublisher,
  type WebhookReceiver,
} from './notifier-fixtures';

describe('notifier: pharmacists and nurses hear within seconds, and nothing is lost', () => {
  let notifier: NotifierUnderTest;
  let system: SystemUnderTest;
  let smtp: FakeSmtpServer;
  let publisher: RequestPublisher;
  let api: Api;
  let db: Client;

  const receiver = (behaviour?: HookBehaviour): Promise<WebhookReceiver> => notifier.receiver(behaviour);
  // A person opens their own stream (or their team's pool) with their own token.
  const feed = async (path: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const [, kind, id] = /\/v1\/streams\/(users|teams)\/([^/?]+)/.exec(path) ?? [];
    const owner = kind === 'users' ? system.authorization(id, ['nurse', 'pharmacist']) : system.authorization(`member-of-${id}`, ['nurse'], [id]);
    return notifier.feed(path, { ...owner, ...headers });
  };
  const notification = (id: string): Promise<NotificationJson> => api.ok<NotificationJson>('GET', `/v1/notifications/${id}`);
  const deliveryOf = async (id: string, channel: string, recipient?: string): Promise<DeliveryJson | undefined> =>
    (await notification(id)).deliveries.find((delivery) => delivery.channel === channel && (!recipient || delivery.recipient === recipient));

  beforeAll(async () => {
    smtp = await FakeSmtpServer.start();
    notifier = await NotifierUnderTest.start(
      {
        NOTIFIER_SECRET_KEY_FILE: secretKeyFile(),
        SMTP_TIMEOUT_MS: '2000',
        LINK_BASE_URL: 'https://care.example',
        DELIVERY_POLL_MS: '100',
        DELIVERY_RETRY_BASE_MS: '50',
        DELIVERY_RETRY_MAX_MS: '400',
        DELIVERY_MAX_ATTEMPTS: '5',
        DELIVERY_LEASE_MS: '5000',
        WEBHOOK_TIMEOUT_MS: '2000',
        WEBHOOK_CIRCUIT_THRESHOLD: '3',
        WEBHOOK_CIRCUIT_OPEN_MS: '300',
        TIMER_POLL_MS: '200',
      },
      smtp,
    );
    ({ system, publisher, api, db } = notifier);
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
  }, 60_000);

  it('loses nothing when a live stream reconnects with Last-Event-ID', async () => {
    const first = await feed('/v1/streams/users/pharm-resume');
    const before = [1, 2, 3].map(() => notificationRequest({ recipientId: 'pharm-resume' }));
    await publisher.publish(...before);
    await eventually(async () => (first.events.length === 3 ? true : undefined));
    const lastEventId = first.events[2].id as string;
    first.close();

    const whileAway = [1, 2, 3].map(() => notificationRequest({ recipientId: 'pharm-resume' }));
    await publisher.publish(...whileAway);
    await eventually(async () => ((await api.ok<DeliveryJson[]>('GET', '/v1/deliveries?recipientId=pharm-resume')).length === 6 ? true : undefined));

    const resumed = await feed('/v1/streams/users/pharm-resume', { 'Last-Event-ID': lastEventId });
    const live = notificationRequest({ recipientId: 'pharm-resume' });
    await publisher.publish(live);
    await eventually(async () => (resumed.events.length >= 4 ? true : undefined));
    await sleep(300);
    const ids = resumed.events.map((event) => (JSON.parse(event.data) as { notificationId: string }).notificationId);
    expect(ids).toEqual([...whileAway, live].map((event) => event.data.notificationId));
    expect(resumed.events.map((event) => Number(event.id))).toEqual([...resumed.events.map((event) => Number(event.id))].sort((a, b) => a - b));
  }, 60_000);

  it('does not send again the item a client last received, though the notifier died before marking it streamed', async () => {
    const first = await feed('/v1/streams/users/pharm-crash');
    const sent = [1, 2].map(() => notificationRequest({ recipientId: 'pharm-crash' }));
    await publisher.publish(...sent);
    await eventually(async () => (first.events.length === 2 ? true : undefined));
    const lastEventId = first.events[1].id as string;
    first.close();
    // As if the notifier had been killed between writing the item and recording it.
    await db.query("UPDATE deliveries SET status = 'pending', delivered_at = NULL WHERE seq = $1", [lastEventId]);

    const resumed = await feed('/v1/streams/users/pharm-crash', { 'Last-Event-ID': lastEventId });
    const live = notificationRequest({ recipientId: 'pharm-crash' });
    await publisher.publish(live);
    await eventually(async () => (resumed.events.length >= 1 ? true : undefined));
    await sleep(300);
    expect(resumed.events.map((event) => (JSON.parse(event.data) as { notificationId: string }).notificationId)).toEqual([live.data.notificationId]);
  }, 60_000);

  it('delivers a webhook exactly once to a receiver that fails three times, signed, with backoff and the circuit breaker', async () => {
    const hooks = await receiver((index) => (index < 3 ? 503 : 200));
    await registerRecipient(api, 'nurse-hook', { channels: ['webhook'], webhookUrl: hooks.url });
    const request = notificationRequest({ recipientId: 'nurse-hook', urgency: 'urgent' });
    await publisher.publish(request);

    await eventually(async () => (hooks.accepted.length === 1 ? true : undefined));
    const delivery = await eventually(async () => {
      const found = await deliveryOf(request.data.notificationId, 'webhook');
      return found?.status === 'delivered' ? found : undefined;
    });
    await sleep(500);
    expect(hooks.requests.map((hook) => hook.status)).toEqual([503, 503, 503, 200]);
    expect(delivery).toMatchObject({ attempts: 4, lastError: null });
    expect(new Set(hooks.requests.map((hook) => hook.headers['x-sc-delivery-id']))).toEqual(new Set([delivery.id]));
    expect(hooks.requests.every((hook) => signatureIsValid(hook, SECRET))).toBe(true);
    const gaps = hooks.requests.slice(1).map((hook, index) => hook.at - hooks.requests[index].at);
    expect(gaps[2]).toBeGreaterThanOrEqual(250); // the third failure opened the circuit (300 ms)
    const body = JSON.parse(hooks.accepted[0].body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['createdAt', 'deliveryId', 'dueAt', 'escalationOf', 'itemId', 'itemType', 'link', 'notificationId', 'recipientId', 'title', 'type', 'urgency'].sort(),
    );
    expect(body.link).toBe(`https://care.example/v1/tasks/${request.data.notificationId}`);
    const preferences = await api.ok<{ webhook: { circuit: string; consecutiveFailures: number } }>('GET', '/v1/recipients/nurse-hook/preferences');
    expect(preferences.webhook).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  }, 60_000);

  it('stores the webhook signing secret encrypted and never returns or logs it', async () => {
    const hooks = await receiver();
    await registerRecipient(api, 'nurse-secret', { channels: ['webhook'], webhookUrl: hooks.url });
    const request = notificationRequest({ recipientId: 'nurse-secret', urgency: 'urgent' });
    await publisher.publish(request);
    await eventually(async () => (hooks.accepted.length === 1 ? true : undefined));
    expect(signatureIsValid(hooks.accepted[0], SECRET)).toBe(true);

    const { rows } = await db.query<{ secret: string; secret_format: string; secret_key_id: string }>(
      `SELECT secret, secret_format, secret_key_id FROM webhook_endpoints WHERE recipient_id = 'nurse-secret'`,
    );
    expect(rows[0]).toMatchObject({ secret_format: 'aes-256-gcm', secret_key_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(rows[0].secret).not.toContain(SECRET);
    const answers = [
      await api.call('PUT', '/v1/recipients/nurse-secret/webhook', { url: hooks.url, secret: SECRET }),
      await api.call('GET', '/v1/recipients/nurse-secret/preferences'),
      await api.call('GET', `/v1/notifications/${request.data.notificationId}`),
      await api.call('GET', '/v1/deliveries?recipientId=nurse-secret'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
    }
    const { rows: audit } = await db.query<{ entry: string }>('SELECT row_to_json(a)::text AS entry FROM audit_log a');
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.some((row) => row.entry.includes(SECRET))).toBe(false);
    expect(readFileSync(path.join(repoRoot(), '.run', 'test-logs', system.runId, 'notifier.log'), 'utf8')).not.toContain(SECRET);
  }, 60_000);

  it('dead-letters a webhook after the last attempt, and a person can redrive it', async () => {
    let healthy = false;
    const hooks = await receiver(() => (healthy ? 200 : 500));
    await registerRecipient(api, 'nurse-down', { channels: ['webhook'], webhookUrl: hooks.url });
    const request = notificationRequest({ recipientId: 'nurse-down', urgency: 'urgent' });
    await publisher.publish(request);

    const failed = await eventually(async () => {
      const found = await deliveryOf(request.data.notificationId, 'webhook');
      return found?.status === 'failed' ? found : undefined;
    });
    expect(failed).toMatchObject({ attempts: 5, lastError: 'HTTP_500' });
    expect(hooks.requests).toHaveLength(5);
    const deadLetters = await api.ok<DeliveryJson[]>('GET', '/v1/deliveries?status=failed&recipientId=nurse-down');
    expect(deadLetters.map((delivery) => delivery.id)).toEqual([failed.id]);
    const preferences = await api.ok<{ webhook: { circuit: string; consecutiveFailures: number } }>('GET', '/v1/recipients/nurse-down/preferences');
    expect(preferences.webhook.consecutiveFailures).toBe(5);

    healthy = true;
    await api.ok('POST', `/v1/deliveries/${failed.id}/retry`);
    await eventually(async () => ((await deliveryOf(request.data.notificationId, 'webhook'))?.status === 'delivered' ? true : undefined));
    expect(hooks.accepted).toHaveLength(1);
    expect((await api.call('POST', `/v1/deliveries/${failed.id}/retry`)).status).toBe(409);
  }, 60_000);

  it('delivers a duplicated request once per channel and recipient', async () => {
    const hooks = await receiver();
    await registerRecipient(api, 'pharm-dup', { channels: ['sse', 'webhook', 'email'], email: 'dup@hospital.test', webhookUrl: hooks.url });
    const stream = await feed('/v1/streams/users/pharm-dup');
    const request = notificationRequest({ recipientId: 'pharm-dup' });
    const replayedByAnotherProducer = notificationRequest({ ...request.data });
    // Same key, same partition: once the marker after them is stored, all of them were consumed.
    const marker = notificationRequest({ recipientId: 'pharm-dup-marker' });
    await publisher.publish(request, request, request, replayedByAnotherProducer, marker);

    await eventually(async () => {
      const { rowCount } = await db.query('SELECT 1 FROM notifications WHERE id = $1', [marker.data.notificationId]);
      return rowCount === 1 ? true : undefined;
    });
    await eventually(async () => (hooks.accepted.length >= 1 && stream.events.length >= 1 && smtp.messages.some((mail) => mail.to.includes('dup@hospital.test')) ? true : undefined));
    await sleep(500);
    expect(hooks.requests).toHaveLength(1);
    expect(stream.events).toHaveLength(1);
    expect(smtp.messages.filter((mail) => mail.to.includes('dup@hospital.test'))).toHaveLength(1);
    const { deliveries } = await notification(request.data.notificationId);
    expect(deliveries.map((delivery) => [delivery.channel, delivery.status]).sort()).toEqual([
      ['email', 'delivered'],
      ['sse', 'delivered'],
      ['webhook', 'delivered'],
    ]);
  }, 60_000);

  it('sends email over SMTP with the minimum: title, urgency, due time and link', async () => {
    await registerRecipient(api, 'nurse-mail', { channels: ['email'], email: 'kim@hospital.test' });
    // A producer-derived id that is not a UUID, as care-gap sends.
    const request = notificationRequest({ notificationId: `care-gap-opened-${Date.now()}`, recipientId: 'nurse-mail', urgency: 'urgent' });
    await publisher.publish(request);

    const mail = await smtp.waitFor((received) => received.to.includes('kim@hospital.test'), 15_000);
    const [head, body] = mail.data.split('\r\n\r\n');
    expect(mail.from).toBe('notifications@synchronized-care.local');
    expect(head).toContain('Subject: [Urgent] Patient discharged: call and reconcile medications');
    expect(head).toContain(`Message-ID: <${request.data.notificationId}.nurse-mail@synchronized-care>`);
    const text = Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
    expect(text).toContain(`Open: https://care.example/v1/tasks/${request.data.notificationId}`);
    expect(text).toContain('Due: 2026-11-21T20:25:00.000Z');
    await eventually(async () => ((await deliveryOf(request.data.notificationId, 'email'))?.status === 'delivered' ? true : undefined));
  }, 60_000);

  it('holds routine items back during quiet hours but lets urgent ones through', async () => {
    const hooks = await receiver();
    const now = new Date();
    const quietEnd = new Date(now.getTime() + 60 * 60 * 1000);
    await registerRecipient(api, 'nurse-quiet', {
      channels: ['sse', 'webhook'],
      webhookUrl: hooks.url,
      quietHours: { start: hhmm(new Date(now.getTime() - 60 * 60 * 1000)), end: hhmm(quietEnd), timeZone: 'UTC' },
    });
    const stream = await feed('/v1/streams/users/nurse-quiet');
    const routine = notificationRequest({ recipientId: 'nurse-quiet', urgency: 'routine' });
    const urgent = notificationRequest({ recipientId: 'nurse-quiet', urgency: 'urgent' });
    await publisher.publish(routine, urgent);

    await eventually(async () => (hooks.accepted.length === 1 ? true : undefined));
    expect(JSON.parse(hooks.accepted[0].body)).toMatchObject({ notificationId: urgent.data.notificationId });
    const held = await deliveryOf(routine.data.notificationId, 'webhook');
    expect(held).toMatchObject({ status: 'pending', attempts: 0 });
    expect(held?.deferredUntil?.slice(0, 16)).toBe(quietEnd.toISOString().slice(0, 16));
    // The in-app feed is not an interruption: it shows both at once (see delivery-plan.ts).
    await eventually(async () => (stream.events.length === 2 ? true : undefined));

    // Quiet hours end (the clock is moved forward for this delivery only).
    await db.query('UPDATE deliveries SET next_attempt_at = now() WHERE seq = $1', [held?.id]);
    await eventually(async () => (hooks.accepted.length === 2 ? true : undefined));
    expect(JSON.parse(hooks.accepted[1].body)).toMatchObject({ notificationId: routine.data.notificationId });
  }, 60_000);

  describe('escalation of an urgent notification', () => {
    beforeAll(async () => {
      await registerRecipient(api, 'nurse-esc', { roles: ['nurse'], teams: ['ward-7'] });
      await registerRecipient(api, 'lead-esc', { roles: ['nurse', 'team-lead'], teams: ['ward-7'] });
    });

    it('escalates to the team lead when nobody acknowledged in time', async () => {
      const lead = await feed('/v1/streams/users/lead-esc');
      const request = notificationRequest({ recipientId: 'nurse-esc', teamId: 'ward-7', urgency: 'urgent', escalateAfterSeconds: 2, escalateToTeamLead: true });
      const sentAt = Date.now();
      await publisher.publish(request);

      const escalated = await lead.waitFor((event) => event.event === 'notification', 20_000);
      expect(escalated.receivedAt - sentAt).toBeGreaterThanOrEqual(2000);
      const item = JSON.parse(escalated.data) as { notificationId: string; title: string; urgency: string; itemId: string };
      expect(item).toMatchObject({ title: `Escalated: ${request.data.title}`, urgency: 'urgent', itemId: request.data.itemId });
      const requested = await notification(request.data.notificationId);
      expect(requested.escalation).toMatchObject({ status: 'fired', escalationNotificationId: item.notificationId });

      await api.ok('POST', `/v1/notifications/${item.notificationId}/acknowledge`, { recipientId: 'lead-esc' });
      expect((await notification(request.data.notificationId)).acknowledged).toBe(true);
      await eventually(async () => {
        const { rows } = await db.query<{ event_type: string }>(
          `SELECT event_type FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq) AND payload::jsonb -> 'data' ->> 'notificationId' = ANY ($1)`,
          [[request.data.notificationId, item.notificationId]],
        );
        const types = rows.map((row) => row.event_type).sort();
        return types.join() === 'notification.acknowledged,notification.escalated' ? true : undefined;
      });
    }, 60_000);

    it('does not escalate once the recipient acknowledged', async () => {
      const request = notificationRequest({ recipientId: 'nurse-esc', teamId: 'ward-7', urgency: 'urgent', escalateAfterSeconds: 2, escalateToTeamLead: true });
      await publisher.publish(request);
      await eventually(async () => ((await api.call('GET', `/v1/notifications/${request.data.notificationId}`)).status === 200 ? true : undefined));

      expect((await api.call('POST', `/v1/notifications/${request.data.notificationId}/acknowledge`, { recipientId: 'lead-esc' })).status).toBe(403);
      await api.ok('POST', `/v1/notifications/${request.data.notificationId}/read`, { recipientId: 'nurse-esc' });
      await api.ok('POST', `/v1/notifications/${request.data.notificationId}/acknowledge`, { recipientId: 'nurse-esc' });
      const acknowledged = await notification(request.data.notificationId);
      expect(acknowledged.escalation?.status).toBe('cancelled');
      expect(acknowledged.receipts).toEqual([expect.objectContaining({ recipientId: 'nurse-esc', acknowledgedAt: expect.any(String) })]);

      await sleep(Math.max(0, new Date(acknowledged.escalation?.dueAt ?? 0).getTime() - Date.now()) + 1000);
      const later = await notification(request.data.notificationId);
      expect(later.escalation).toMatchObject({ status: 'cancelled', escalationNotificationId: null });
    }, 60_000);
  });

  it('refuses preferences it could not honour and unknown fields', async () => {
    await registerRecipient(api, 'nurse-prefs', {});
    expect((await api.call('PUT', '/v1/recipients/nurse-prefs/preferences', { channels: ['webhook'] })).body).toMatchObject({
      statusCode: 422,
      code: 'WEBHOOK_ENDPOINT_REQUIRED',
    });
    expect((await api.call('PUT', '/v1/recipients/nurse-prefs/preferences', { channels: ['email'] })).body).toMatchObject({ code: 'EMAIL_ADDRESS_REQUIRED' });
    expect((await api.call('PUT', '/v1/recipients/nurse-prefs/preferences', { channels: ['sse'], diagnosis: 'x' })).status).toBe(400);
    expect((await api.call('GET', '/v1/recipients/nobody/preferences')).status).toBe(404);
    const openApi = await api.ok<{ paths: Record<string, unknown> }>('GET', '/docs-json');
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining(['/v1/recipients/{recipientId}/preferences', '/v1/notifications/{notificationId}/acknowledge', '/v1/deliveries/{deliveryId}/retry']),
    );
  });
});
