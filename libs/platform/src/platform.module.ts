import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { TopicNames } from '@sc/contracts';
import { databaseUrlFor, kafkaTransport, postgresTls, redisOptions, type ServiceConfig, type TlsOptions } from '@sc/config';
import { EVENT_RELEVANCE, EVERY_EVENT, KafkaEventsServer, claimInbox, Outbox, OutboxRelay, createKafka, provisionTopics, type EventRelevance } from '@sc/messaging';
import { TableStatisticsKeeper, UnitOfWork, openDatabase } from '@sc/persistence';
import { MetricsRegistry, flushSpans } from '@sc/observability';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { KAFKA, REDIS, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

export interface PlatformOptions {
  serviceName: string;
  config: ServiceConfig;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  /** Whether this service uses Redis (adds a client and a health check). */
  redis?: boolean;
  /**
   * Which consumed events concern the service (see EventRelevance); every event when absent.
   * Built once the service's database is migrated and before the consumer starts, from that
   * database (an index may read it and listen to its triggers); exported as EVENT_RELEVANCE.
   */
  relevance?: (database: ServiceDatabase, metrics: MetricsRegistry) => EventRelevance | Promise<EventRelevance>;
  /**
   * How a redelivered or republished event is kept from acting twice: `inbox` (default) records
   * each handled event in the same transaction as its work, one statement per run; `natural-keys`
   * records nothing, for a service whose every write is keyed by what the event carries.
   */
  idempotency?: 'inbox' | 'natural-keys';
  /** Runs the outbox relay on a thread of its own (see OutboxRelayOptions.ownThread). */
  relayOnOwnThread?: boolean;
}

/** Where the service's own, migrated database is. */
export interface ServiceDatabase {
  url: string;
  ssl?: TlsOptions;
  serviceName: string;
}

/** Starts the outbox relay and the statistics keeper once the app is up and stops them (and closes clients) on shutdown. */
class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly statistics: TableStatisticsKeeper | undefined,
    private readonly dataSource: DataSource,
    private readonly redis: Redis | undefined,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.start();
    this.statistics?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.statistics?.stop();
    await flushSpans();
    this.redis?.disconnect();
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}

/**
 * What every service gets: its validated config, its own migrated database, Kafka (topics
 * provisioned from the catalogue), the outbox and its relay, the event transport, Redis if
 * asked for, and GET /health.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, serviceName } = options;
    const topicNames = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const databaseUrl = databaseUrlFor(config, serviceName);
    const metrics = standardMetrics(serviceName);
    const relevance = options.relevance;
    const relevanceProvider: Provider = relevance
      ? {
          provide: EVENT_RELEVANCE,
          // After the DataSource: its migrations create the tables and triggers the relevance may read and listen to.
          useFactory: (_migrated: DataSource) => relevance({ url: databaseUrl, ssl: postgresTls(config), serviceName }, metrics),
          inject: [DataSource],
        }
      : { provide: EVENT_RELEVANCE, useValue: EVERY_EVENT };
    const redisProviders = options.redis
      ? [{ provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false, ...redisOptions(config) }) }]
      : [];
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: serviceName },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: TopicNames, useValue: topicNames },
        {
          provide: DataSource,
          useFactory: () =>
            openDatabase({
              url: databaseUrl,
              serviceName,
              migrations: options.migrations,
              entities: options.entities,
              poolSize: config.DATABASE_POOL_SIZE,
              ssl: postgresTls(config),
            }),
        },
        { provide: EntityManager, useFactory: (dataSource: DataSource) => dataSource.manager, inject: [DataSource] },
        { provide: UnitOfWork, useFactory: (dataSource: DataSource) => new UnitOfWork(dataSource), inject: [DataSource] },
        {
          provide: KAFKA,
          useFactory: async () => {
            const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: serviceName, ...kafkaTransport(config) });
            if (config.KAFKA_PROVISION_TOPICS === 'true') {
              await provisionTopics(kafka, topicNames);
            }
            return kafka;
          },
        },
        { provide: Outbox, useValue: new Outbox(topicNames) },
        {
          provide: OutboxRelay,
          useFactory: (kafka: Kafka) => {
            const relay = new OutboxRelay(kafka, { databaseUrl, serviceName, ssl: postgresTls(config), retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
              inboxRetentionMs: config.INBOX_RETENTION_DAYS * 86_400_000,
              ownThread: options.relayOnOwnThread,
            });
            metrics.collectedGauge('sc_outbox_backlog', 'Outbox rows not yet published to Kafka.', async () => [{ value: await relay.backlog() }]);
            metrics.collectedGauge('sc_outbox_published_total', 'Outbox rows published by this instance since start.', async () => [
              { value: relay.publishedCount },
            ]);
            metrics.collectedGauge('sc_outbox_purged_total', 'Published outbox rows this instance deleted past OUTBOX_RETENTION_HOURS since start.', async () => [
              { value: relay.purgedCount },
            ]);
            metrics.collectedGauge('sc_inbox_purged_total', 'Inbox rows this instance deleted past INBOX_RETENTION_DAYS since start.', async () => [
              { value: relay.inboxPurgedCount },
            ]);
            return relay;
          },
          inject: [KAFKA],
        },
        {
          provide: KafkaEventsServer,
          useFactory: (kafka: Kafka, unitOfWork: UnitOfWork, relevance: EventRelevance) => {
            const server = new KafkaEventsServer({
              relevance,
              kafka,
              topics: topicNames,
              groupId: `${config.KAFKA_TOPIC_PREFIX}${serviceName}`,
              maxAttempts: config.EVENT_MAX_ATTEMPTS,
              retryBaseMs: config.EVENT_RETRY_BASE_MS,
              eventsPerTransaction: config.EVENTS_PER_TRANSACTION,
              partitionsConsumedConcurrently: config.EVENT_PARTITIONS_CONCURRENTLY,
              sharedTransaction: (work) => unitOfWork.run(() => work()),
              claim: options.idempotency === 'natural-keys' ? undefined : (events) => unitOfWork.run((manager) => claimInbox(manager, serviceName, events)),
              metrics,
            });
            metrics.collectedGauge('sc_consumer_lag', 'Messages not yet consumed, per topic partition of this service.', async () =>
              (await server.lag()).map(({ topic, partition, lag }) => ({ labels: { topic, partition: String(partition) }, value: lag })),
            );
            return server;
          },
          inject: [KAFKA, UnitOfWork, EVENT_RELEVANCE],
        },
        relevanceProvider,
        ...redisProviders,
        {
          provide: PlatformLifecycle,
          useFactory: (relay: OutboxRelay, dataSource: DataSource, redis?: Redis) => {
            const statistics =
              config.TABLE_STATISTICS_INTERVAL_SECONDS > 0
                ? new TableStatisticsKeeper({ databaseUrl, serviceName, ssl: postgresTls(config), intervalMs: config.TABLE_STATISTICS_INTERVAL_SECONDS * 1000 })
                : undefined;
            if (statistics) {
              metrics.collectedGauge('sc_table_statistics_analyzed_total', 'Tables this instance analyzed since start because their statistics were out of date.', async () => [
                { value: statistics.analyzedCount },
              ]);
            }
            return new PlatformLifecycle(relay, statistics, dataSource, redis);
          },
          inject: [OutboxRelay, DataSource, { token: REDIS, optional: true }],
        },
      ],
      exports: [MetricsRegistry, EVENT_RELEVANCE, SERVICE_NAME, SERVICE_CONFIG, TopicNames, DataSource, EntityManager, UnitOfWork, KAFKA, Outbox, OutboxRelay, KafkaEventsServer, ...(options.redis ? [REDIS] : [])],
    };
  }
}

/** Process metrics every service exposes. */
function standardMetrics(serviceName: string): MetricsRegistry {
  const metrics = new MetricsRegistry();
  metrics.collectedGauge('sc_process_resident_memory_bytes', 'Resident set size of the process.', async () => [
    { labels: { service: serviceName }, value: process.memoryUsage().rss },
  ]);
  metrics.collectedGauge('sc_process_heap_used_bytes', 'V8 heap in use.', async () => [{ labels: { service: serviceName }, value: process.memoryUsage().heapUsed }]);
  return metrics;
}

export const InjectServiceConfig = (): ParameterDecorator => Inject(SERVICE_CONFIG);
