import type { ServiceConfig } from './service-config';

/** TLS options in the shape node's tls, kafkajs, pg and ioredis all accept. */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface KafkaTransport {
  ssl?: TlsOptions;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** Kafka client security from KAFKA_SSL* and KAFKA_SASL*; nothing set means plaintext (local broker). */
export function kafkaTransport(config: ServiceConfig): KafkaTransport {
  const transport: KafkaTransport = {};
  if (config.KAFKA_SSL === 'true') {
    transport.ssl = { rejectUnauthorized: true, ca: config.KAFKA_SSL_CA, cert: config.KAFKA_SSL_CERT, key: config.KAFKA_SSL_KEY };
  }
  if (config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME !== undefined && config.KAFKA_SASL_PASSWORD !== undefined) {
    transport.sasl = { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD };
  }
  return transport;
}

/** pg's `ssl` option from DATABASE_SSL_MODE: `require` encrypts, `verify-full` also checks the server certificate. */
export function postgresTls(config: ServiceConfig): TlsOptions | undefined {
  switch (config.DATABASE_SSL_MODE) {
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ca: config.DATABASE_SSL_CA };
    default:
      return undefined;
  }
}

/** ioredis options: TLS for rediss:// URLs (with an optional private CA) and an ACL user. */
export function redisOptions(config: ServiceConfig): { tls?: TlsOptions; username?: string; password?: string } {
  return {
    ...(config.REDIS_URL.startsWith('rediss://') ? { tls: { rejectUnauthorized: true, ca: config.REDIS_TLS_CA } } : {}),
    ...(config.REDIS_USERNAME ? { username: config.REDIS_USERNAME } : {}),
    ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
  };
}
