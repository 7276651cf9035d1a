import { loadConfig } from './load-config';
import { ServiceConfig } from './service-config';
import { kafkaTransport, postgresTls, redisOptions } from './transport-security';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('transport security settings', () => {
  it('keeps local defaults in plaintext', () => {
    const config = loadConfig(ServiceConfig, {});
    expect(kafkaTransport(config)).toEqual({});
    expect(postgresTls(config)).toBeUndefined();
    expect(redisOptions(config)).toEqual({});
  });

  it('turns KAFKA_SSL and KAFKA_SASL_* into the client’s TLS and SASL options', () => {
    const config = loadConfig(ServiceConfig, {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA: PEM,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'pharmacy-alert',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafkaTransport(config)).toEqual({
      ssl: { rejectUnauthorized: true, ca: PEM, cert: undefined, key: undefined },
      sasl: { mechanism: 'scram-sha-512', username: 'pharmacy-alert', password: 'secret' },
    });
  });

  it('verifies the PostgreSQL server against the configured CA in verify-full mode', () => {
    expect(postgresTls(loadConfig(ServiceConfig, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: PEM }))).toEqual({ rejectUnauthorized: true, ca: PEM });
    expect(postgresTls(loadConfig(ServiceConfig, { DATABASE_SSL_MODE: 'require' }))).toEqual({ rejectUnauthorized: false });
  });

  it('uses TLS for rediss:// URLs and passes an ACL user', () => {
    expect(redisOptions(loadConfig(ServiceConfig, { REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA: PEM, REDIS_USERNAME: 'notifier', REDIS_PASSWORD: 'pw' }))).toEqual({
      tls: { rejectUnauthorized: true, ca: PEM },
      username: 'notifier',
      password: 'pw',
    });
  });

  it('refuses a SASL mechanism without credentials, naming them', () => {
    expect(() => loadConfig(ServiceConfig, { KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME.*KAFKA_SASL_PASSWORD|KAFKA_SASL_PASSWORD.*KAFKA_SASL_USERNAME/);
  });
});
