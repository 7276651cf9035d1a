export { PlatformModule, InjectServiceConfig, type PlatformOptions } from './platform.module';
export { bootstrapService, httpValidationPipe, setUpOpenApi, type BootstrapOptions } from './bootstrap';
export { SERVICE_CONFIG, SERVICE_NAME, KAFKA, REDIS } from './tokens';
