import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import type { CareGapConfig } from './config';
import { ClinicalContextService } from './encounters/clinical-context.service';
import { EncounterEventsHandler } from './encounters/encounter-events.handler';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'care-gap';

export function careGapModule(config: CareGapConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS })],
    controllers: [EncounterEventsHandler],
    providers: [ClinicalContextService],
  })
  class CareGapModule {}
  return CareGapModule;
}
