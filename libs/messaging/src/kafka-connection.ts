import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { createLogger } from '@sc/observability';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
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
  };
  return new Kafka(config);
}
