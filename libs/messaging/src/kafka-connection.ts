import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { createLogger } from '@sc/observability';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** TLS to the brokers (see kafkaTransport in @sc/config). */
  ssl?: ConnectionOptions;
  /** SASL identity of this service on the cluster. */
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

function saslOptions(sasl: NonNullable<KafkaConnectionOptions['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

const logger = createLogger('kafkajs');

function logCreator() {
  return ({ level, log }: LogEntry): void => {
    const { message, ...rest } = log;
    const fields = { namespace: rest.namespace, broker: rest.broker, groupId: rest.groupId, error: rest.error };
    switch (level) {
      case logLevel.ERROR:
        logger.error(fields, message);
        break;
      case logLevel.WARN:
        logger.warn(fields, message);
        break;
      case logLevel.INFO:
        logger.info(fields, message);
        break;
      case logLevel.DEBUG:
      case logLevel.NOTHING:
        logger.debug(fields, message);
        break;
    }
  };
}

/** The one place kafkajs is configured; a successor client would replace this file's internals. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 100, retries: 8 },
    ssl: options.ssl,
    sasl: options.sasl ? saslOptions(options.sasl) : undefined,
  };
  return new Kafka(config);
}
