export { PlatformModule, InjectServiceConfig, type PlatformOptions, type ServiceDatabase } from './platform.module';
export { bootstrapService, runService, httpValidationPipe, setUpOpenApi, type BootstrapOptions, type RunServiceOptions } from './bootstrap';
export { SERVICE_CONFIG, SERVICE_NAME, KAFKA, REDIS } from './tokens';
export { DomainErrorHttpFilter, TransportAwareExceptionFilter, assertUnreachable } from './exception-filters';
export { MAX_JSON_DEPTH, MAX_URL_LENGTH, inputLimits, isUnstorableText, nestsDeeperThan, unstorableTextPaths } from './input-limits';
