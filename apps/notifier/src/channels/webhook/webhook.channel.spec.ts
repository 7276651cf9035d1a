import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@sc/config';
import { MetricsRegistry } from '@sc/observability';
import { NotifierConfig } from '../../config';
import type { ClaimedDelivery } from '../../deliveries/delivery-queue.repository';
import { NotificationMetrics } from '../../metrics/notification-metrics';
import type { SendableEndpoint, WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookChannel } from './webhook.channel';

/** An in-memory endpoint repository with the same rules as the SQL one. */
class FakeEndpoints {
  endpoint: SendableEndpoint | undefined;

  async findForSending(): Promise<SendableEndpoint | undefined> {
    return this.endpoint && { ...this.endpoint };
  }
  async takeProbe(_id: string, reopenUntil: Date, threshold: number): Promise<boolean> {
    const endpoint = this.endpoint;
    if (!endpoint || endpoint.consecutiveFailures < threshold || (endpoint.openUntil && endpoint.openUntil > new Date())) {
      return false;
    }
    endpoint.openUntil = reopenUntil;
    return true;
  }
  async recordFailure(): Promise<number> {
    this.endpoint!.consecutiveFailures += 1;
    return this.endpoint!.consecutiveFailures;
  }
  async openCircuit(_id: string, until: Date): Promise<void> {
    this.endpoint!.openUntil = until;
  }
  async recordSuccess(): Promise<void> {
    this.endpoint!.consecutiveFailures = 0;
    this.endpoint!.openUntil = null;
  }
}

const delivery = (): ClaimedDelivery => ({
  seq: '7',
  notificationId: '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21',
  channel: 'webhook',
  recipient: 'user:nurse-1',
  attempts: 1,
  title: 'Patient discharged: call and reconcile medications',
  urgency: 'urgent',
  dueAt: null,
  link: '/v1/tasks/t-1',
  itemType: 'pharmacy-task',
  itemId: 't-1',
  escalationOf: null,
  createdAt: new Date(),
  requestedAt: new Date(),
  deferredUntil: null,
});

describe(WebhookChannel.name, () => {
  let server: http.Server;
  let status = 200;
  let received = 0;
  let endpoints: FakeEndpoints;
  let channel: WebhookChannel;
  let registry: MetricsRegistry;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      received += 1;
      request.resume();
      request.on('end', () => response.writeHead(status).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    status = 200;
    received = 0;
    endpoints = new FakeEndpoints();
    endpoints.endpoint = {
      recipientId: 'nurse-1',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      secret: 's'.repeat(32),
      consecutiveFailures: 0,
      openUntil: null,
      updatedAt: new Date(),
    };
    const config = loadConfig(NotifierConfig, { WEBHOOK_CIRCUIT_THRESHOLD: '2', WEBHOOK_CIRCUIT_OPEN_MS: '60000', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1' });
    registry = new MetricsRegistry();
    channel = new WebhookChannel(endpoints as unknown as WebhookEndpointRepository, new NotificationMetrics({} as DataSource, registry), config);
  });

  it('opens the circuit after the threshold of transient failures and then holds sends back without trying', async () => {
    status = 503;
    expect(await channel.send(delivery())).toEqual({ kind: 'failed', code: 'HTTP_503', retryable: true });
    expect(await channel.send(delivery())).toEqual({ kind: 'failed', code: 'HTTP_503', retryable: true });
    expect(endpoints.endpoint?.openUntil).not.toBeNull();

    expect(await channel.send(delivery())).toMatchObject({ kind: 'postponed' });
    expect(received).toBe(2);
    expect(await registry.render()).toContain('sc_webhook_circuit_openings_total 1\n');
  });

  it('lets one probe through when the open period is over, and closes the circuit on its success', async () => {
    Object.assign(endpoints.endpoint!, { consecutiveFailures: 2, openUntil: new Date(Date.now() - 1) });
    expect(await channel.send(delivery())).toEqual({ kind: 'delivered' });
    expect(endpoints.endpoint).toMatchObject({ consecutiveFailures: 0, openUntil: null });
  });

  it('postpones a half-open send when another instance already took the probe', async () => {
    Object.assign(endpoints.endpoint!, { consecutiveFailures: 2, openUntil: new Date(Date.now() - 1) });
    jest.spyOn(endpoints, 'takeProbe').mockResolvedValueOnce(false);
    expect(await channel.send(delivery())).toMatchObject({ kind: 'postponed' });
    expect(received).toBe(0);
  });

  it('dead-letters at once on a client error the receiver will keep giving, without counting it against the endpoint', async () => {
    status = 410;
    expect(await channel.send(delivery())).toEqual({ kind: 'failed', code: 'HTTP_410', retryable: false });
    expect(endpoints.endpoint?.consecutiveFailures).toBe(0);
  });

  it('fails retryably, without trying or counting against the endpoint, when its secret is sealed under a key this instance lacks', async () => {
    endpoints.endpoint = { ...endpoints.endpoint!, secret: null, unreadableKeyId: '0123456789abcdef' };
    expect(await channel.send(delivery())).toEqual({ kind: 'failed', code: 'WEBHOOK_SECRET_UNREADABLE', retryable: true });
    expect(received).toBe(0);
    expect(endpoints.endpoint.consecutiveFailures).toBe(0);
  });

  it('fails without retry when the recipient has no endpoint', async () => {
    endpoints.endpoint = undefined;
    expect(await channel.send(delivery())).toEqual({ kind: 'failed', code: 'NO_WEBHOOK_ENDPOINT', retryable: false });
  });
});
