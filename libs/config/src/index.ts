export { ConfigError, loadConfig } from './load-config';
export { DEVELOPMENT_JWT_SECRET, ServiceConfig, databaseUrlFor } from './service-config';
export { kafkaTransport, postgresTls, redisOptions, type KafkaTransport, type TlsOptions } from './transport-security';
export { commaList, keyValueList } from './env-transforms';
export { FacilityTimeZonesConfig } from './facility-time-zones';
