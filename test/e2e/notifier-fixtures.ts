import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { EventHeaders, createEnvelope, type EventEnvelope, type NotificationRequestedData, type TopicNames } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { SseClient, SystemUnderTest, databaseUrl, kafkaBrokers, type FakeSmtpServer } from '@sc/testing';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** A time of day as quiet hours take it, in UTC. */
export const hhmm = (date: Date): string => date.toISOString().slice(11, 16);

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

/** A fresh 32-byte key for NOTIFIER_SECRET_KEY_FILE, so webhook secrets are stored encrypted as in production. */
export function secretKeyFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'notifier-key-')), 'secret-key');
  writeFileSync(file, `${randomBytes(32).toString('base64')}\n`);
  return file;
}

/**
 * The notifier started alone for one spec, with what its tests drive it through. Receivers and
 * feeds opened through it, and the SMTP server it was given, end with `stop`.
 */
export class NotifierUnderTest {
  private readonly receivers: WebhookReceiver[] = [];
  private readonly feeds: SseClient[] = [];

  private constructor(
    readonly system: SystemUnderTest,
    readonly api: Api,
    readonly publisher: RequestPublisher,
    readonly db: Client,
    private readonly smtp: FakeSmtpServer | undefined,
  ) {}

  /** `smtp`, when given, is where the notifier sends email (SMTP_HOST and SMTP_PORT point at it). */
  static async start(env: Record<string, string>, smtp?: FakeSmtpServer): Promise<NotifierUnderTest> {
    // The spec's afterAll only sees a notifier that started completely, so a half-started one is stopped here.
    let system: SystemUnderTest | undefined;
    try {
      system = await SystemUnderTest.start({
        services: ['notifier'],
        env: smtp ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), ...env } : env,
      });
      const db = new Client({ connectionString: databaseUrl(system.runId, 'notifier') });
      await db.connect();
      const publisher = await RequestPublisher.connect(system.topics);
      return new NotifierUnderTest(system, new Api(system.service('notifier').url(''), system), publisher, db, smtp);
    } catch (error) {
      await system?.stop();
      await smtp?.stop();
      throw error;
    }
  }

  async receiver(behaviour?: HookBehaviour): Promise<WebhookReceiver> {
    const started = await WebhookReceiver.start(behaviour);
    this.receivers.push(started);
    return started;
  }

  /** Opens a notifier stream (`/v1/streams/...`) with the owner's token in `headers`. */
  async feed(streamPath: string, headers: Record<string, string>): Promise<SseClient> {
    const opened = await SseClient.open(this.system.service('notifier').url(streamPath), headers);
    this.feeds.push(opened);
    return opened;
  }

  async stop(): Promise<void> {
    this.feeds.forEach((opened) => opened.close());
    await Promise.all(this.receivers.map((started) => started.stop()));
    await this.publisher.close();
    await this.db.end();
    await this.smtp?.stop();
    await this.system.stop();
  }
}
