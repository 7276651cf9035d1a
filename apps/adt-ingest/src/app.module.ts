import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { PlatformModule } from '@sc/platform';
import type { AdtIngestConfig } from './config';
import { HL7_CONTENT_TYPES, Hl7MessagesController } from './http/hl7-messages.controller';
import { IngestService } from './ingest/ingest.service';
import { MIGRATIONS } from './migrations';
import { MllpListener } from './mllp/mllp.listener';

export const SERVICE_NAME = 'adt-ingest';

export function adtIngestModule(config: AdtIngestConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS })],
    controllers: [Hl7MessagesController],
    providers: [IngestService, MllpListener],
  })
  class AdtIngestModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(raw({ type: HL7_CONTENT_TYPES, limit: config.MLLP_MAX_FRAME_BYTES })).forRoutes(Hl7MessagesController);
    }
  }
  return AdtIngestModule;
}
