import { runService } from '@sc/platform';
import { SERVICE_NAME, careGapModule } from './app.module';
import { CareGapConfig } from './config';

runService({
  serviceName: SERVICE_NAME,
  description: 'Finds what a discharged patient lacks at home and whether the plan covers it.',
  configType: CareGapConfig,
  appModule: careGapModule,
});
