export { ConfigError, loadConfig } from './load-config';
export { ServiceConfig, databaseUrlFor } from './service-config';
