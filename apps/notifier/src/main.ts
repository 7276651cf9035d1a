import { runService } from '@sc/platform';
import { SERVICE_NAME, notifierModule } from './app.module';
import { NotifierConfig } from './config';

runService({
  serviceName: SERVICE_NAME,
  description:
    'Delivers notifications to pharmacists and nurses: live streams (SSE) with resume, signed webhooks and email, with delivery records, receipts and escalation.',
  configType: NotifierConfig,
  appModule: notifierModule,
});
