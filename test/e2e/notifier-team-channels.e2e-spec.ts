import { FakeSmtpServer, eventually, type SseClient, type SystemUnderTest } from '@sc/testing';
import {
  NotifierUnderTest,
  SECRET,
  hhmm,
  notificationRequest,
  registerRecipient,
  signatureIsValid,
  sleep,
  type Api,
  type DeliveryJson,
  type NotificationJson,
  type ReceivedHook,
  type RequestPublisher,
  type WebhookReceiver,
} from './notifier-fixtures';
const notificationOf = (hook: ReceivedHook): string => (JSON.parse(hook.body) as { notificationId: string }).notificationId;

describe("notifier: a team's notification reaches its members' own channels", () => {
  const TEAM = 'ward-team-e2e';
  let notifier: NotifierUnderTest;
  let system: SystemUnderTest;
  let smtp: FakeSmtpServer;
  let publisher: RequestPublisher;
  let api: Api;
  let teamFeed: SseClient;
  let personalFeed: SseClient;
  const hooks: Record<'member' | 'quiet' | 'inactive' | 'late', WebhookReceiver> = {} as never;

  const view = (id: string): Promise<NotificationJson> => api.ok<NotificationJson>('GET', `/v1/notifications/${id}`);
  const summary = (deliveries: DeliveryJson[]): string[] => deliveries.map((delivery) => `${delivery.channel} ${delivery.recipient}`).sort();
  const mailsTo = (address: string) => smtp.messages.filter((mail) => mail.to.includes(address));

  beforeAll(async () => {
    smtp = await FakeSmtpServer.start();
    notifier = await NotifierUnderTest.start({ SMTP_TIMEOUT_MS: '2000', DELIVERY_POLL_MS: '100', DELIVERY_LEASE_MS: '4000', WEBHOOK_TIMEOUT_MS: '3000' }, smtp);
    ({ system, publisher, api } = notifier);
    for (const name of ['member', 'quiet', 'inactive', 'late'] as const) {
      hooks[name] = await notifier.receiver();
    }
    const now = Date.now();
    await registerRecipient(api, 'tm-hook', { teams: [TEAM], channels: ['sse', 'webhook'], webhookUrl: hooks.member.url });
    await registerRecipient(api, 'tm-mail', { teams: [TEAM, 'other-team'], channels: ['email'], email: 'tm-mail@hospital.test' });
    await registerRecipient(api, 'tm-quiet', {
      teams: [TEAM],
      channels: ['webhook'],
      webhookUrl: hooks.quiet.url,
      quietHours: { start: hhmm(new Date(now - 60 * 60 * 1000)), end: hhmm(new Date(now + 60 * 60 * 1000)), timeZone: 'UTC' },
    });
    await registerRecipient(api, 'tm-feed-only', { teams: [TEAM] });
    await registerRecipient(api, 'tm-inactive', { teams: [TEAM], channels: ['webhook'], webhookUrl: hooks.inactive.url });
    await api.ok('PUT', '/v1/recipients/tm-inactive', { roles: ['nurse'], teams: [TEAM], active: false });
    await registerRecipient(api, 'not-a-member', { teams: ['other-team'], channels: ['email'], email: 'outsider@hospital.test' });

    teamFeed = await notifier.feed(`/v1/streams/teams/${TEAM}`, system.authorization('tm-hook', ['nurse'], [TEAM]));
    personalFeed = await notifier.feed('/v1/streams/users/tm-hook', system.authorization('tm-hook', ['nurse'], [TEAM]));
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
  }, 60_000);

  it("sends a routine team item to each active member's webhook and email once, honouring quiet hours, and the pool feed once", async () => {
    const request = notificationRequest({ recipientId: null, teamId: TEAM, urgency: 'routine' });
    const replayedByAnotherProducer = notificationRequest({ ...request.data });
    await publisher.publish(request, request, replayedByAnotherProducer);

    await eventually(async () => (hooks.member.accepted.length === 1 && mailsTo('tm-mail@hospital.test').length === 1 && teamFeed.events.length === 1 ? true : undefined));
    const settled = await eventually(async () => {
      const current = await view(request.data.notificationId);
      return current.deliveries.filter((delivery) => delivery.status === 'delivered').length === 3 ? current : undefined;
    });
    await sleep(500);

    expect(summary(settled.deliveries)).toEqual([`email user:tm-mail`, `sse team:${TEAM}`, `webhook user:tm-hook`, `webhook user:tm-quiet`]);
    expect(settled.deliveries.find((delivery) => delivery.recipient === 'user:tm-quiet')).toMatchObject({ status: 'pending', attempts: 0, deferredUntil: expect.any(String) });
    expect(hooks.member.requests).toHaveLength(1);
    expect(signatureIsValid(hooks.member.requests[0], SECRET)).toBe(true);
    expect(JSON.parse(hooks.member.requests[0].body)).toMatchObject({ notificationId: request.data.notificationId, recipientId: 'tm-hook' });
    expect(mailsTo('tm-mail@hospital.test')).toHaveLength(1);
    expect(teamFeed.events).toHaveLength(1);
    // Members see the pool in the team stream; their own stream does not repeat it.
    expect(personalFeed.events).toHaveLength(0);
    expect(hooks.quiet.requests).toHaveLength(0);
    expect(hooks.inactive.requests).toHaveLength(0);
    expect(mailsTo('outsider@hospital.test')).toHaveLength(0);
  }, 60_000);

  it("lets an urgent team item through a member's quiet hours", async () => {
    const request = notificationRequest({ recipientId: null, teamId: TEAM, urgency: 'urgent' });
    await publisher.publish(request);
    await eventually(async () => (hooks.quiet.accepted.some((hook) => notificationOf(hook) === request.data.notificationId) ? true : undefined));
    const delivery = (await view(request.data.notificationId)).deliveries.find((candidate) => candidate.recipient === 'user:tm-quiet');
    expect(delivery).toMatchObject({ channel: 'webhook', status: 'delivered', deferredUntil: null });
  }, 60_000);

  it('gives a member who joins after the notification nothing retroactively, but lets them acknowledge through the team', async () => {
    const request = notificationRequest({ recipientId: null, teamId: TEAM, urgency: 'routine' });
    await publisher.publish(request);
    await eventually(async () => (hooks.member.accepted.some((hook) => notificationOf(hook) === request.data.notificationId) ? true : undefined));

    await registerRecipient(api, 'tm-late', { teams: [TEAM], channels: ['webhook'], webhookUrl: hooks.late.url });
    await sleep(1000);
    expect(hooks.late.requests).toHaveLength(0);
    const { deliveries } = await view(request.data.notificationId);
    expect(deliveries.some((delivery) => delivery.recipient === 'user:tm-late')).toBe(false);

    await api.ok('POST', `/v1/notifications/${request.data.notificationId}/read`, { recipientId: 'tm-late' });
    await api.ok('POST', `/v1/notifications/${request.data.notificationId}/acknowledge`, { recipientId: 'tm-hook' });
    expect((await api.call('POST', `/v1/notifications/${request.data.notificationId}/acknowledge`, { recipientId: 'not-a-member' })).status).toBe(403);
    expect((await view(request.data.notificationId)).acknowledged).toBe(true);
  }, 60_000);

  it("resends a member's webhook cut off by SIGKILL once, under the same delivery id", async () => {
    const request = notificationRequest({ recipientId: null, teamId: TEAM, urgency: 'urgent' });
    const forRequest = () => hooks.member.requests.filter((hook) => notificationOf(hook) === request.data.notificationId);
    hooks.member.behaviour = (_index, hook) => (notificationOf(hook) === request.data.notificationId && forRequest().length === 0 ? 'hold' : 200);
    await publisher.publish(request);
    await eventually(async () => (forRequest().length === 1 ? true : undefined), 20_000, 50);

    const notifier = system.service('notifier');
    await notifier.kill('SIGKILL');
    await notifier.start();
    // The notifier rejoins its Kafka group first, which after a SIGKILL takes up to the session timeout.
    await eventually(async () => (forRequest().some((hook) => hook.status === 200) ? true : undefined), 40_000);
    await sleep(1000);

    const sends = forRequest();
    expect(sends.map((hook) => hook.status)).toEqual([undefined, 200]);
    expect(sends[0].headers['x-sc-delivery-id']).toBe(sends[1].headers['x-sc-delivery-id']);
    const { deliveries } = await view(request.data.notificationId);
    expect(deliveries.find((delivery) => delivery.recipient === 'user:tm-hook')).toMatchObject({ channel: 'webhook', status: 'delivered', attempts: 2 });
    expect(hooks.quiet.requests.filter((hook) => notificationOf(hook) === request.data.notificationId)).toHaveLength(1);
  }, 120_000);
});
