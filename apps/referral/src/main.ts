import { runService } from '@sc/platform';
import { SERVICE_NAME, referralModule } from './app.module';
import { ReferralConfig } from './config';
import { ReferralErrorFilter } from './errors/referral-error.filter';

runService({
  serviceName: SERVICE_NAME,
  description: 'Nurse referral queues: equipment, in-home nursing, wellness, specialist briefings, social needs, postpartum follow-up.',
  configType: ReferralConfig,
  appModule: referralModule,
  errorFilters: [new ReferralErrorFilter()],
});
