import { SystemUnderTest, eventually } from '@sc/testing';
import {
  Api,
  RequestPublisher,
  WebhookReceiver,
  notificationRequest,
  registerRecipient,
  type DeliveryJson,
  type NotificationJson,
  type ReceivedHook,
} from './notifier-fixtures';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('notifier killed mid-work', () => {
  let system: SystemUnderTest;
  let publisher: RequestPublisher;
  let api: Api;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    hooks = await WebhookReceiver.start();
    system = await SystemUnderTest.start({
      services: ['notifier'],
      env: { DELIVERY_POLL_MS: '100', DELIVERY_LEASE_MS: '4000', WEBHOOK_TIMEOUT_MS: '3000', SMTP_TIMEOUT_MS: '3000', TIMER_POLL_MS: '200' },
    });
    publisher = await RequestPublisher.connect(system.topics);
    api = new Api(system.service('notifier').url(''), system);
    await registerRecipient(api, 'nurse-crash', { roles: ['nurse'], teams: ['ward-9'], channels: ['sse', 'webhook'], webhookUrl: hooks.url });
    await registerRecipient(api, 'lead-crash', { roles: ['team-lead'], teams: ['ward-9'] });
  }, 120_000);

  afterAll(async () => {
    await publisher?.close();
    await hooks?.stop();
    await system?.stop();
  }, 60_000);

  it('resends a webhook whose send was cut off by SIGKILL, once, and keeps an escalation timer across the restart', async () => {
    const notifier = system.service('notifier');
    const send = notificationRequest({ recipientId: 'nurse-crash', urgency: 'urgent' });
    const escalate = notificationRequest({ recipientId: 'nurse-crash', teamId: 'ward-9', urgency: 'urgent', escalateAfterSeconds: 8, escalateToTeamLead: true });
    const notificationOf = (hook: ReceivedHook): string => (JSON.parse(hook.body) as { notificationId: string }).notificationId;
    const hooksFor = (notificationId: string) => hooks.requests.filter((hook) => notificationOf(hook) === notificationId);
    // The first send of `send` is held open, so the notifier dies while it is mid-send.
    hooks.behaviour = (_index, hook) => (notificationOf(hook) === send.data.notificationId && hooksFor(send.data.notificationId).length === 0 ? 'hold' : 200);
    await publisher.publish(send, escalate);
    await eventually(async () => (hooksFor(send.data.notificationId).length === 1 ? true : undefined), 20_000, 50);
    // The other webhook is recorded before the crash, so its single send is final.
    const beforeCrash = await eventually(async () => {
      const view = await api.ok<NotificationJson>('GET', `/v1/notifications/${escalate.data.notificationId}`);
      return view.deliveries.some((delivery) => delivery.channel === 'webhook' && delivery.status === 'delivered') ? view : undefined;
    }, 20_000, 50);
    expect(beforeCrash.escalation?.status).toBe('scheduled');

    await notifier.kill('SIGKILL');
    await notifier.start();

    // The notifier rejoins its Kafka group first, which after a SIGKILL takes up to the session timeout (30 s).
    await eventually(async () => (hooksFor(send.data.notificationId).some((hook) => hook.status === 200) ? true : undefined), 30_000);
    const requested = await eventually(async () => {
      const view = await api.ok<NotificationJson>('GET', `/v1/notifications/${escalate.data.notificationId}`);
      return view.escalation?.status === 'fired' ? view : undefined;
    }, 30_000);
    await sleep(1000);

    const cutOff = hooksFor(send.data.notificationId);
    expect(cutOff.map((hook) => hook.status)).toEqual([undefined, 200]);
    expect(cutOff[0].headers['x-sc-delivery-id']).toBe(cutOff[1].headers['x-sc-delivery-id']);
    const [webhook] = (await api.ok<NotificationJson>('GET', `/v1/notifications/${send.data.notificationId}`)).deliveries.filter(
      (delivery) => delivery.channel === 'webhook',
    );
    expect(webhook).toMatchObject({ status: 'delivered', attempts: 2 });
    // The held send occupied one slot only: the other notification's webhook went out meanwhile.
    expect(hooksFor(escalate.data.notificationId).map((hook) => hook.status)).toEqual([200]);

    const leadDeliveries = await api.ok<DeliveryJson[]>('GET', '/v1/deliveries?recipientId=lead-crash');
    expect(leadDeliveries.map((delivery) => delivery.notificationId)).toEqual([requested.escalation?.escalationNotificationId]);
  }, 120_000);
});
