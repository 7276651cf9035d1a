import { eventually, type SseClient, type SystemUnderTest } from '@sc/testing';
import {
  NotifierUnderTest,
  hhmm,
  notificationRequest,
  registerRecipient,
  secretKeyFile,
  sleep,
  type Api,
  type DeliveryJson,
  type HookBehaviour,
  type RequestPublisher,
  type WebhookReceiver,
} from './notifier-fixtures';

/** One scrape of GET /metrics as sample name (with labels) -> value. */
type Samples = Map<string, number>;

describe('notifier metrics: delivery latency and outcomes on /metrics', () => {
  let notifier: NotifierUnderTest;
  let system: SystemUnderTest;
  let publisher: RequestPublisher;
  let api: Api;

  const receiver = (behaviour: HookBehaviour): Promise<WebhookReceiver> => notifier.receiver(behaviour);
  const feed = (recipientId: string): Promise<SseClient> => notifier.feed(`/v1/streams/users/${recipientId}`, system.authorization(recipientId, ['nurse']));
  const scrape = async (): Promise<Samples> => {
    const response = await fetch(system.service('notifier').url('/metrics'));
    expect(response.status).toBe(200);
    const samples: Samples = new Map();
    for (const line of (await response.text()).split('\n')) {
      if (line !== '' && !line.startsWith('#')) {
        const space = line.lastIndexOf(' ');
        samples.set(line.slice(0, space), Number(line.slice(space + 1)));
      }
    }
    return samples;
  };
  /** How much each named sample grew between two scrapes (absent counts as 0). */
  const growth = (before: Samples, after: Samples, names: string[]): Record<string, number> =>
    Object.fromEntries(names.map((name) => [name, (after.get(name) ?? 0) - (before.get(name) ?? 0)]));
  const outcome = (channel: string, name: string): string => `sc_notification_deliveries_total{channel="${channel}",outcome="${name}"}`;
  const bucket = (channel: string, le: string): string => `sc_notification_delivery_seconds_bucket{channel="${channel}",le="${le}"}`;
  const observations = (channel: string): string => `sc_notification_delivery_seconds_count{channel="${channel}"}`;
  const deliveryOf = async (notificationId: string, channel: string): Promise<DeliveryJson | undefined> =>
    (await api.ok<{ deliveries: DeliveryJson[] }>('GET', `/v1/notifications/${notificationId}`)).deliveries.find((delivery) => delivery.channel === channel);

  beforeAll(async () => {
    notifier = await NotifierUnderTest.start({
      NOTIFIER_SECRET_KEY_FILE: secretKeyFile(),
      DELIVERY_POLL_MS: '100',
      DELIVERY_RETRY_BASE_MS: '50',
      DELIVERY_RETRY_MAX_MS: '400',
      DELIVERY_LEASE_MS: '5000',
      WEBHOOK_TIMEOUT_MS: '2000',
      SMTP_TIMEOUT_MS: '2000',
      // One transient failure opens an endpoint's circuit, briefly.
      WEBHOOK_CIRCUIT_THRESHOLD: '1',
      WEBHOOK_CIRCUIT_OPEN_MS: '300',
      TIMER_POLL_MS: '200',
    });
    ({ system, publisher, api } = notifier);
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
  }, 60_000);

  it('counts a webhook that failed once as retried then delivered, timed from the request, and a live feed item as delivered', async () => {
    const hooks = await receiver((index) => (index === 0 ? 503 : 200));
    await registerRecipient(api, 'nurse-metrics-hook', { channels: ['webhook'], webhookUrl: hooks.url });
    const live = await feed('pharm-metrics-live');
    await sleep(500); // the stream has subscribed and sent its (empty) backlog
    const before = await scrape();

    // Requested 90 s ago upstream (it waited in Kafka): the latency counts that wait too.
    const hook = { ...notificationRequest({ recipientId: 'nurse-metrics-hook', urgency: 'urgent' }), recordedAt: new Date(Date.now() - 90_000).toISOString() };
    const item = notificationRequest({ recipientId: 'pharm-metrics-live' });
    await publisher.publish(hook, item);
    await eventually(async () => (hooks.accepted.length === 1 && live.events.length === 1 ? true : undefined));
    const after = await eventually(async () => {
      const samples = await scrape();
      return (samples.get(observations('webhook')) ?? 0) > (before.get(observations('webhook')) ?? 0) &&
        (samples.get(observations('sse')) ?? 0) > (before.get(observations('sse')) ?? 0)
        ? samples
        : undefined;
    });

    expect(hooks.requests.map((request) => request.status)).toEqual([503, 200]);
    expect(
      growth(before, after, [
        outcome('webhook', 'retried'),
        outcome('webhook', 'delivered'),
        outcome('webhook', 'failed'),
        outcome('sse', 'delivered'),
        outcome('sse', 'on-connect'),
        observations('webhook'),
        bucket('webhook', '60'),
        bucket('webhook', '120'),
        observations('sse'),
        bucket('sse', '5'),
        'sc_webhook_circuit_openings_total',
      ]),
    ).toEqual({
      [outcome('webhook', 'retried')]: 1,
      [outcome('webhook', 'delivered')]: 1,
      [outcome('webhook', 'failed')]: 0,
      [outcome('sse', 'delivered')]: 1,
      [outcome('sse', 'on-connect')]: 0,
      [observations('webhook')]: 1,
      [bucket('webhook', '60')]: 0,
      [bucket('webhook', '120')]: 1,
      [observations('sse')]: 1,
      [bucket('sse', '5')]: 1,
      sc_webhook_circuit_openings_total: 1,
    });
    expect(after.get('sc_webhook_circuit_open')).toBe(0);
  }, 60_000);

  it('counts a dead letter and its redrive, a quiet-hours deferral, a feed item read on connecting and an escalation, and shows the backlog', async () => {
    let healthy = false;
    const gone = await receiver(() => (healthy ? 200 : 410));
    await registerRecipient(api, 'nurse-metrics-gone', { channels: ['webhook'], webhookUrl: gone.url });
    const quiet = await receiver(() => 200);
    const now = new Date();
    await registerRecipient(api, 'nurse-metrics-quiet', {
      channels: ['webhook'],
      webhookUrl: quiet.url,
      quietHours: { start: hhmm(new Date(now.getTime() - 60 * 60 * 1000)), end: hhmm(new Date(now.getTime() + 60 * 60 * 1000)), timeZone: 'UTC' },
    });
    await registerRecipient(api, 'nurse-metrics-esc', { roles: ['nurse'] });
    const before = await scrape();

    const deadLetter = notificationRequest({ recipientId: 'nurse-metrics-gone', urgency: 'urgent' });
    const held = notificationRequest({ recipientId: 'nurse-metrics-quiet', urgency: 'routine' });
    const away = notificationRequest({ recipientId: 'pharm-metrics-away' });
    const escalating = notificationRequest({ recipientId: 'nurse-metrics-esc', urgency: 'urgent', escalateAfterSeconds: 1, escalationRecipientId: 'lead-metrics' });
    await publisher.publish(deadLetter, held, away, escalating);

    const failed = await eventually(async () => {
      const found = await deliveryOf(deadLetter.data.notificationId, 'webhook');
      return found?.status === 'failed' ? found : undefined;
    });
    await eventually(async () => ((await deliveryOf(away.data.notificationId, 'sse')) ? true : undefined));
    await eventually(async () => ((await api.ok<{ escalation: { status: string } | null }>('GET', `/v1/notifications/${escalating.data.notificationId}`)).escalation?.status === 'fired' ? true : undefined));
    const waiting = await scrape();
    expect(waiting.get('sc_notification_delivery_backlog{channel="webhook",state="failed"}')).toBe(1);
    expect(waiting.get('sc_notification_delivery_backlog{channel="webhook",state="deferred"}')).toBe(1);
    // The away pharmacist's item and the escalation to a lead who is not connected.
    expect(waiting.get('sc_notification_delivery_backlog{channel="sse",state="pending"}')).toBeGreaterThanOrEqual(2);

    const stream = await feed('pharm-metrics-away');
    await eventually(async () => (stream.events.length === 1 ? true : undefined));
    healthy = true;
    await api.ok('POST', `/v1/deliveries/${failed.id}/retry`);
    await eventually(async () => ((await deliveryOf(deadLetter.data.notificationId, 'webhook'))?.status === 'delivered' ? true : undefined));
    const after = await eventually(async () => {
      const samples = await scrape();
      return (samples.get(outcome('sse', 'on-connect')) ?? 0) > (before.get(outcome('sse', 'on-connect')) ?? 0) ? samples : undefined;
    });

    expect(
      growth(before, after, [
        outcome('webhook', 'failed'),
        outcome('webhook', 'redriven'),
        outcome('webhook', 'delivered'),
        outcome('webhook', 'deferred'),
        outcome('sse', 'on-connect'),
        outcome('sse', 'delivered'),
        observations('sse'),
        'sc_notification_escalations_total',
      ]),
    ).toEqual({
      [outcome('webhook', 'failed')]: 1,
      [outcome('webhook', 'redriven')]: 1,
      [outcome('webhook', 'delivered')]: 1,
      [outcome('webhook', 'deferred')]: 1,
      [outcome('sse', 'on-connect')]: 1,
      [outcome('sse', 'delivered')]: 0,
      [observations('sse')]: 0,
      sc_notification_escalations_total: 1,
    });
    expect(after.get('sc_notification_delivery_backlog{channel="webhook",state="failed"}') ?? 0).toBe(0);
    expect(quiet.requests).toHaveLength(0);
  }, 60_000);
});
