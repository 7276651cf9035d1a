import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { PlatformModule } from '@sc/platform';
import { SecurityModule } from '@sc/security';
import type { AdtIngestConfig } from './config';
import { EncounterRepository } from './encounters/encounter.repository';
import { BatchConnections } from './ingest/batch-connections';
import { BatchRepository } from './ingest/batch.repository';
import { HL7_CONTENT_TYPES, Hl7MessagesController } from './http/hl7-messages.controller';
import { IngestBatchService } from './ingest/ingest-batch.service';
import { IngestMetrics } from './ingest/ingest-metrics';
import { IngestService } from './ingest/ingest.service';
import { RejectRepository } from './ingest/reject.repository';
import { MIGRATIONS } from './migrations';
import { MllpListener } from './mllp/mllp.listener';
import { MessagesController } from './operator/messages.controller';
import { OperatorRepository } from './operator/operator.repository';
import { OperatorService } from './operator/operator.service';
import { RejectsController } from './operator/rejects.controller';
import { RawRetentionService } from './retention/raw-retention.service';

export const SERVICE_NAME = 'adt-ingest';

export function adtIngestModule(config: AdtIngestConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS, relayOnOwnThread: true }), SecurityModule.forRoot(config)],
    controllers: [Hl7MessagesController, MessagesController, RejectsController],
    providers: [
      IngestMetrics,
      BatchConnections,
      BatchRepository,
      RejectRepository,
      EncounterRepository,
      IngestBatchService,
      IngestService,
      MllpListener,
      OperatorRepository,
      OperatorService,
      RawRetentionService,
    ],
  })
  class AdtIngestModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(raw({ type: HL7_CONTENT_TYPES, limit: config.MLLP_MAX_FRAME_BYTES })).forRoutes(Hl7MessagesController, 'v1/rejects/:id/replay');
    }
  }
  return AdtIngestModule;
}
