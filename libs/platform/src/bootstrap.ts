import 'reflect-metadata';
import { ValidationPipe, type ExceptionFilter, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { securityHeaders } from '@sc/security';
import type { ClassConstructor } from 'class-transformer';
import { loadConfig, type ServiceConfig } from '@sc/config';
import { KafkaEventsServer } from '@sc/messaging';
import { NestPinoLogger, createLogger } from '@sc/observability';
import { TransportAwareExceptionFilter } from './exception-filters';
import { httpTracing } from './http-tracing';
import { MAX_HEADER_BYTES, inputLimits } from './input-limits';

export interface BootstrapOptions {
  serviceName: string;
  description: string;
  appModule: Type<unknown>;
  httpHost: string;
  httpPort: number;
  /** Largest JSON body accepted (HTTP_BODY_LIMIT). */
  bodyLimit: string;
  /** The app's domain-error filters (see DomainErrorHttpFilter); they take precedence over the catch-all. */
  errorFilters?: ExceptionFilter[];
}

/** Validation for every HTTP body and query: unknown fields are refused, types converted. */
export function httpValidationPipe(): ValidationPipe {
  return new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
}

export function setUpOpenApi(app: INestApplication, serviceName: string, description: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(`Synchronized Care: ${serviceName}`).setDescription(description).setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/** Boots a service: HTTP API with OpenAPI at /docs and /docs-json, the Kafka event transport, graceful shutdown. */
export async function bootstrapService(options: BootstrapOptions): Promise<INestApplication> {
  process.env.SERVICE_NAME ??= options.serviceName;
  const logger = createLogger('bootstrap');
  const app = await NestFactory.create<NestExpressApplication>(options.appModule, { logger: new NestPinoLogger(), bodyParser: true });
  app.use(httpTracing);
  app.use(securityHeaders);
  app.useBodyParser('json', { limit: options.bodyLimit });
  app.use(inputLimits);
  // Read long request lines whole, so inputLimits answers 414 instead of the socket being reset.
  (app.getHttpServer() as { maxHeaderSize?: number }).maxHeaderSize = MAX_HEADER_BYTES;
  app.useGlobalPipes(httpValidationPipe());
  // Later filters win: the catch-all first, the app's own domain-error filters after it.
  app.useGlobalFilters(new TransportAwareExceptionFilter(app.getHttpAdapter()), ...(options.errorFilters ?? []));
  app.enableShutdownHooks();
  setUpOpenApi(app, options.serviceName, options.description);
  // Inherit the filters registered above: a hybrid app's microservice takes none of its own.
  app.connectMicroservice({ strategy: app.get(KafkaEventsServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(options.httpPort, options.httpHost);
  logger.info({ port: options.httpPort, host: options.httpHost }, `${options.serviceName} ready`);
  return app;
}

export interface RunServiceOptions<C extends ServiceConfig & { HTTP_PORT: number }> {
  serviceName: string;
  description: string;
  configType: ClassConstructor<C>;
  appModule: (config: C) => Type<unknown>;
  errorFilters?: ExceptionFilter[];
}

/** A service's whole main(): validated config (refuses to start naming the bad variable), then boot. */
export function runService<C extends ServiceConfig & { HTTP_PORT: number }>(options: RunServiceOptions<C>): void {
  const start = async (): Promise<void> => {
    process.env.SERVICE_NAME ??= options.serviceName;
    const config = loadConfig(options.configType);
    await bootstrapService({
      serviceName: options.serviceName,
      description: options.description,
      appModule: options.appModule(config),
      httpHost: config.HTTP_HOST,
      httpPort: config.HTTP_PORT,
      bodyLimit: config.HTTP_BODY_LIMIT,
      errorFilters: options.errorFilters,
    });
  };
  start().catch((error: unknown) => {
    // Config errors name the variable and the rule, never the value; safe to print.
    createLogger('bootstrap').fatal({ err: error }, `${options.serviceName} failed to start`);
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
