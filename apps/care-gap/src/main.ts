import { runService } from '@sc/platform';
import { SERVICE_NAME, careGapModule } from './app.module';
import { CareGapConfig } from './config';
import { CareGapErrorFilter } from './errors/care-gap-error.filter';

runService({
  serviceName: SERVICE_NAME,
  description:
    'Finds what a discharged patient lacks at home (home blood-pressure monitor, scale, glucose meter, pulse oximeter, follow-up) and whether the plan covers it; nurses work the gaps.',
  configType: CareGapConfig,
  appModule: careGapModule,
  errorFilters: [new CareGapErrorFilter()],
});
