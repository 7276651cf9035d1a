import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import { loadConfig } from '@sc/config';
import { RATE_LIMIT_REDIS } from '@sc/security';
import { parseHl7 } from '@sc/hl7';
import { createKafka } from '@sc/messaging';
import { MllpClient } from '@sc/mllp';
import { SystemUnderTest, databaseUrl, kafkaBrokers } from '@sc/testing';
import { TopicRecorder } from '../../../e2e/support/topic-recorder';
import { adtIngestModule } from '../../../../apps/adt-ingest/src/app.module';
import { AdtIngestConfig } from '../../../../apps/adt-ingest/src/config';

/** MSA-1 and MSA-2 of an acknowledgment, and ERR-2 / ERR-3.1 when present. */
export function ackOf(ack: string | null | undefined): { code?: string; controlId?: string; errSegment?: string; errField?: string; errCode?: string } {
  if (!ack) {
    return {};
  }
  const message = parseHl7(ack);
  return {
    code: message.get('MSA-1'),
    controlId: message.get('MSA-2'),
    errSegment: message.get('ERR-2.1'),
    errField: message.get('ERR-2.3'),
    errCode: message.get('ERR-3.1'),
  };
}

/** adt-ingest alone, as a real child process, with its own database and topics. */
export async function startIngest(env: NodeJS.ProcessEnv = {}): Promise<SystemUnderTest> {
  return SystemUnderTest.start({ services: ['adt-ingest'], env: { LOG_LEVEL: 'warn', ...env } });
}

/** A connection to the service's own database, for asserting what was stored. */
export async function ingestDatabase(system: SystemUnderTest): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl(system.runId, 'adt-ingest') });
  await client.connect();
  return client;
}

/** Records what adt-ingest publishes on the encounters topic. */
export async function recordEncounters(system: SystemUnderTest): Promise<TopicRecorder> {
  const recorder = new TopicRecorder(createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-reader` }), [system.topics.of('encounters')], `${system.runId}.reader`);
  await recorder.start();
  return recorder;
}

export async function mllpClient(system: SystemUnderTest, options: { responseTimeoutMs?: number } = {}): Promise<MllpClient> {
  return MllpClient.connect({ port: system.mllpPort, responseTimeoutMs: options.responseTimeoutMs ?? 15_000 });
}

/** POSTs raw ER7 as a feed with the integration role would. */
export async function postHl7(system: SystemUnderTest, body: Buffer | string, authorization = system.authorization('hospital-feed', ['integration'])): Promise<Response> {
  return fetch(system.service('adt-ingest').url('/v1/hl7/messages'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/hl7-v2', ...authorization },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

/** GET on the operator API as an administrator. */
export async function operatorGet<T>(system: SystemUnderTest, pathAndQuery: string): Promise<T> {
  const response = await fetch(system.service('adt-ingest').url(pathAndQuery), { headers: system.authorization('interface-analyst', ['admin']) });
  if (!response.ok) {
    throw new Error(`GET ${pathAndQuery} answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** adt-ingest inside the test process (its providers reachable), on the run's database and topics; the topics must exist. */
export async function createIngestApp(runId: string, kafkaBrokers: string): Promise<INestApplication> {
  process.env.LOG_LEVEL = 'silent';
  const config = loadConfig(AdtIngestConfig, {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(runId, 'adt-ingest'),
    KAFKA_BROKERS: kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `${runId}.`,
    KAFKA_PROVISION_TOPICS: 'false',
    MLLP_PORT: '0',
    REDIS_URL: process.env.REDIS_URL,
  });
  const app = await NestFactory.create(adtIngestModule(config), { logger: false });
  await app.init();
  return app;
}

export async function closeIngestApp(app: INestApplication | undefined): Promise<void> {
  // The security module's rate-limit client has no shutdown hook of its own.
  app?.get<Redis>(RATE_LIMIT_REDIS).disconnect();
  await app?.close();
}
