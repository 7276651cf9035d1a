import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import type { ReferralConfig } from './config';
import { EncounterEventsHandler } from './encounters/encounter-events.handler';
import { EpisodeCancellationService } from './encounters/episode-cancellation.service';
import { MIGRATIONS } from './migrations';

export const SERVICE_NAME = 'referral';

export function referralModule(config: ReferralConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS })],
    controllers: [EncounterEventsHandler],
    providers: [EpisodeCancellationService],
  })
  class ReferralModule {}
  return ReferralModule;
}
