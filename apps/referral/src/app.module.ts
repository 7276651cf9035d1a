import { ReferralOwners } from './access/owners';
import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import { AttributionIndex } from './attribution/attribution-index';
import { SecurityModule } from '@sc/security';
import { BriefingRepository } from './briefings/briefing.repository';
import { BriefingService } from './briefings/briefing.service';
import { BriefingsController } from './briefings/briefings.controller';
import type { ReferralConfig } from './config';
import { ClinicalFactsRepository } from './facts/clinical-facts.repository';
import { EncounterEventsHandler } from './intake/encounter-events.handler';
import { EncounterIntakeService } from './intake/encounter-intake.service';
import { SourceEventsHandler } from './intake/source-events.handler';
import { SourceIntakeService } from './intake/source-intake.service';
import { MIGRATIONS } from './migrations';
import { NurseRepository } from './nurses/nurse.repository';
import { NurseService } from './nurses/nurse.service';
import { NursesController } from './nurses/nurses.controller';
import { QueuesController } from './queues/queues.controller';
import { ReferralEventsEmitter } from './referrals/referral-events.emitter';
import { ReferralLifecycle } from './referrals/referral-lifecycle';
import { ReferralQueries } from './referrals/referral-queries.service';
import { ReferralWorkflowService } from './referrals/referral-workflow.service';
import { ReferralRepository } from './referrals/referral.repository';
import { ReferralsController } from './referrals/referrals.controller';
import { SlaWorker } from './sla/sla.worker';

export const SERVICE_NAME = 'referral';

export function referralModule(config: ReferralConfig) {
  @Module({
    imports: [
      PlatformModule.forRoot({
        serviceName: SERVICE_NAME,
        config,
        migrations: MIGRATIONS,
        relevance: (database, metrics) => AttributionIndex.start({ ...database, plans: config.PARTICIPATING_PLANS, metrics }),
      }),
      SecurityModule.forRoot(config),
    ],
    controllers: [ReferralsController, QueuesController, NursesController, BriefingsController, EncounterEventsHandler, SourceEventsHandler],
    providers: [
      ReferralOwners,
      ReferralRepository,
      NurseRepository,
      ClinicalFactsRepository,
      BriefingRepository,
      ReferralEventsEmitter,
      ReferralLifecycle,
      ReferralWorkflowService,
      ReferralQueries,
      NurseService,
      BriefingService,
      EncounterIntakeService,
      SourceIntakeService,
      SlaWorker,
    ],
  })
  class ReferralModule {}
  return ReferralModule;
}
