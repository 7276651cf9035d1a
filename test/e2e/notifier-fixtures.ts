import type { SystemUnderTest } from '@sc/testing';
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Partitioners, type Producer } from 'kafkajs';
import { EventHeaders, createEnvelope, type EventEnvelope, type NotificationRequestedData, type TopicNames } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { kafkaBrokers } from '@sc/testing';

/** A `notification.requested` event as a producing service would append it to its outbox. */
export function notificationRequest(overrides: Partial<NotificationRequestedData> = {}): EventEnvelope<'notification.requested'> {
  const notificationId = overrides.notificationId ?? randomUUID();
  return createEnvelope(
    'notification.requested',
    {
      notificationId,
      recipientId: 'pharm-ana',
      teamId: null,
      title: 'Patient discharged: call and reconcile medications',
      urgency: 'routine',
      dueAt: '2026-11-21T20:25:00.000Z',
      link: `/v1/tasks/${notificationId}`,
      itemType: 'pharmacy-task',
      itemId: notificationId,
      ...overrides,
    },
    { source: 'pharmacy-alert', subject: 'pt-ref-e2e', occurredAt: new Date().toISOString(), correlationId: `enc:LGH:${notificationId}` },
  );
}

/** Produces requests onto the run's notification-request topic. */
export class RequestPublisher {
  private constructor(
    private readonly producer: Producer,
    private readonly topics: TopicNames,
  ) {}

  static async connect(topics: TopicNames): Promise<RequestPublisher> {
    const producer = createKafka({ brokers: kafkaBrokers(), clientId: `notifier-e2e-${randomUUID()}` }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new RequestPublisher(producer, topics);
  }

  async publish(...events: Array<EventEnvelope<'notification.requested'>>): Promise<void> {
    await this.producer.send({
      topic: this.topics.forEvent('notification.requested'),
      acks: -1,
      messages: events.map((event) => ({
        key: event.subject,
        value: JSON.stringify(event),
        headers: { [EventHeaders.eventType]: event.type, [EventHeaders.eventVersion]: String(event.version) },
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What the receiver answered; undefined while held. */
  status: number | undefined;
  at: number;
}

/** Gets the index of the request (0-based) and the request; returns a status, or 'hold' to never answer. */
export type HookBehaviour = (index: number, hook: ReceivedHook) => number | 'hold';

/** A webhook receiver on 127.0.0.1 that records what arrives and answers as told. */
export class WebhookReceiver {
  readonly requests: ReceivedHook[] = [];
  private readonly held: http.ServerResponse[] = [];

  private constructor(
    private readonly server: http.Server,
    public behaviour: HookBehaviour,
  ) {}

  static async start(behaviour: HookBehaviour = () => 200): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server, behaviour);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => receiver.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** Requests answered with a 2xx, i.e. deliveries the receiver accepted. */
  get accepted(): ReceivedHook[] {
    return this.requests.filter((hook) => hook.status !== undefined && hook.status >= 200 && hook.status < 300);
  }

  async stop(): Promise<void> {
    this.held.forEach((response) => response.destroy());
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hook: ReceivedHook = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status: undefined, at: Date.now() };
      const answer = this.behaviour(this.requests.length, hook);
      this.requests.push(hook);
      if (answer === 'hold') {
        this.held.push(response);
        return;
      }
      hook.status = answer;
      response.writeHead(answer).end();
    });
  }
}

/** The receiver's side of the signature contract: HMAC-SHA256 over `timestamp.body`, hex, `v1=` prefix. */
export function signatureIsValid(hook: ReceivedHook, secret: string): boolean {
  const timestamp = String(hook.headers['x-sc-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${hook.body}`).digest('hex')}`;
  return hook.headers['x-sc-signature'] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

/**
 * JSON over HTTP against one service, with a bearer token. A receipt's `recipientId` names who
 * reads or acknowledges, and becomes the token's subject instead of being sent.
 */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly system: SystemUnderTest,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const isReceipt = /\/(read|acknowledge)$/.test(path);
    const { recipientId, ...rest } = (body ?? {}) as { recipientId?: string };
    const caller = isReceipt && recipientId ? this.system.authorization(recipientId, ['nurse', 'pharmacist', 'team-lead']) : this.system.authorization('notifier-admin', ['supervisor', 'admin']);
    const sent = isReceipt ? undefined : body;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: sent === undefined ? caller : { 'Content-Type': 'application/json', ...caller },
      body: sent === undefined ? (isReceipt && Object.keys(rest).length > 0 ? JSON.stringify(rest) : undefined) : JSON.stringify(sent),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.call<T>(method, path, body);
    if (result.status >= 300) {
      throw new Error(`${method} ${path} answered ${result.status}: ${JSON.stringify(result.body)}`);
    }
    return result.body;
  }
}

export interface DeliveryJson {
  id: string;
  notificationId: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
  deferredUntil: string | null;
}

export interface NotificationJson {
  id: string;
  acknowledged: boolean;
  escalation: { status: string; dueAt: string; escalationNotificationId: string | null } | null;
  deliveries: DeliveryJson[];
  receipts: Array<{ recipientId: string; acknowledgedAt: string | null }>;
}

export const SECRET = 'e2e-webhook-secret-0123456789abcdef';

/** Registers a person with roles, teams, channel preferences and (optionally) a webhook endpoint. */
export async function registerRecipient(
  api: Api,
  id: string,
  options: { roles?: string[]; teams?: string[]; channels?: string[]; email?: string; webhookUrl?: string; quietHours?: { start: string; end: string; timeZone: string } },
): Promise<void> {
  await api.ok('PUT', `/v1/recipients/${id}`, { roles: options.roles ?? ['nurse'], teams: options.teams ?? [] });
  if (options.webhookUrl) {
    await api.ok('PUT', `/v1/recipients/${id}/webhook`, { url: options.webhookUrl, secret: SECRET });
  }
  if (options.channels) {
    await api.ok('PUT', `/v1/recipients/${id}/preferences`, { channels: options.channels, email: options.email, quietHours: options.quietHours });
  }
}
