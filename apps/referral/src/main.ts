import { runService } from '@sc/platform';
import { SERVICE_NAME, referralModule } from './app.module';
import { ReferralConfig } from './config';

runService({
  serviceName: SERVICE_NAME,
  description: 'Nurse referral queues: equipment, in-home care, wellness, specialist briefings.',
  configType: ReferralConfig,
  appModule: referralModule,
});
