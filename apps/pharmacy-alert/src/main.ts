import { runService } from '@sc/platform';
import { SERVICE_NAME, pharmacyAlertModule } from './app.module';
import { PharmacyAlertConfig } from './config';

runService({
  serviceName: SERVICE_NAME,
  description: 'Specialty-pharmacy roster and the pharmacist discharge worklist.',
  configType: PharmacyAlertConfig,
  appModule: pharmacyAlertModule,
});
