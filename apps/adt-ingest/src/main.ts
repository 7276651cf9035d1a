import { runService } from '@sc/platform';
import { SERVICE_NAME, adtIngestModule } from './app.module';
import { AdtIngestConfig } from './config';

runService({
  serviceName: SERVICE_NAME,
  description: 'Receives HL7 v2 ADT over MLLP and HTTP, stores it durably, publishes encounter events.',
  configType: AdtIngestConfig,
  appModule: adtIngestModule,
});
