import { runService } from '@sc/platform';
import { SERVICE_NAME, pharmacyAlertModule } from './app.module';
import { PharmacyAlertConfig } from './config';
import { PharmacyErrorFilter } from './errors/pharmacy-error.filter';

runService({
  serviceName: SERVICE_NAME,
  description: 'Specialty-pharmacy roster and the pharmacist discharge worklist.',
  configType: PharmacyAlertConfig,
  appModule: pharmacyAlertModule,
  errorFilters: [new PharmacyErrorFilter()],
});
