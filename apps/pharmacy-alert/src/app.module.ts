import { IdentityReviewOwners, PatientOwners, TaskOwners } from './access/owners';
import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { PlatformModule } from '@sc/platform';
import { AttributionIndex } from './attribution/attribution-index';
import { SecurityModule } from '@sc/security';
import type { PharmacyAlertConfig } from './config';
import { EncounterEventsHandler } from './encounters/encounter-events.handler';
import { EncounterWorkService } from './encounters/encounter-work.service';
import { EscalationWorker } from './escalation/escalation.worker';
import { IdentityReviewRepository } from './matching/identity-review.repository';
import { IdentityReviewService } from './matching/identity-review.service';
import { IdentityReviewsController } from './matching/identity-reviews.controller';
import { PatientMatcher } from './matching/patient-matcher';
import { MIGRATIONS } from './migrations';
import { PharmacistRepository } from './pharmacists/pharmacist.repository';
import { PharmacistService } from './pharmacists/pharmacist.service';
import { PharmacistsController } from './pharmacists/pharmacists.controller';
import { QualityReportController } from './quality/quality-report.controller';
import { QualityReportRepository } from './quality/quality-report.repository';
import { QualityReportService } from './quality/quality-report.service';
import { EnrollmentEventsHandler } from './roster/enrollment-events.handler';
import { RosterController } from './roster/roster.controller';
import { RosterRepository } from './roster/roster.repository';
import { RosterService } from './roster/roster.service';
import { PharmacyEvents } from './tasks/pharmacy-events';
import { RefillHoldRepository } from './tasks/refill-hold.repository';
import { TeamActivityHandler } from './team-activity/team-activity.handler';
import { TeamActivityService } from './team-activity/team-activity.service';
import { TaskMetrics } from './tasks/task-metrics';
import { TaskRepository } from './tasks/task.repository';
import { TasksController } from './tasks/tasks.controller';
import { PatientsController } from './timeline/patients.controller';
import { TimelineRepository } from './timeline/timeline.repository';
import { WorkflowService } from './workflow/workflow.service';

export const SERVICE_NAME = 'pharmacy-alert';

export function pharmacyAlertModule(config: PharmacyAlertConfig) {
  @Module({
    imports: [
      PlatformModule.forRoot({
        serviceName: SERVICE_NAME,
        config,
        migrations: MIGRATIONS,
        // Pharmacy-alert serves rostered patients only.
        relevance: (database, metrics) => AttributionIndex.start({ ...database, metrics }),
      }),
      SecurityModule.forRoot(config),
    ],
    controllers: [
      RosterController,
      PharmacistsController,
      TasksController,
      IdentityReviewsController,
      PatientsController,
      QualityReportController,
      EncounterEventsHandler,
      EnrollmentEventsHandler,
      TeamActivityHandler,
    ],
    providers: [
      TaskOwners,
      PatientOwners,
      IdentityReviewOwners,
      RosterRepository,
      RosterService,
      PharmacistRepository,
      PharmacistService,
      PatientMatcher,
      IdentityReviewRepository,
      IdentityReviewService,
      TaskRepository,
      RefillHoldRepository,
      TimelineRepository,
      PharmacyEvents,
      EncounterWorkService,
      WorkflowService,
      EscalationWorker,
      TaskMetrics,
      TeamActivityService,
      QualityReportRepository,
      QualityReportService,
    ],
  })
  class PharmacyAlertModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(raw({ type: 'text/csv', limit: '20mb' })).forRoutes('v1/roster/patients.csv');
    }
  }
  return PharmacyAlertModule;
}
