import { runService } from '@sc/platform';
import { SERVICE_NAME, adtIngestModule } from './app.module';
import { AdtIngestConfig } from './config';
import { IngestErrorFilter } from './errors/ingest-error.filter';

runService({
  serviceName: SERVICE_NAME,
  description: 'Receives HL7 v2 ADT over MLLP and HTTP, stores it durably, publishes encounter events; operator search and replay.',
  configType: AdtIngestConfig,
  appModule: adtIngestModule,
  errorFilters: [new IngestErrorFilter()],
});
