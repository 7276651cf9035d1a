import { bootstrapService } from '@sc/platform';
import { SERVICE_NAME, loadPharmacyAlertConfig, pharmacyAlertModule } from './app.module';

async function main(): Promise<void> {
  const config = loadPharmacyAlertConfig();
  await bootstrapService({
    serviceName: SERVICE_NAME,
    description: 'Specialty-pharmacy roster and the pharmacist discharge worklist.',
    appModule: pharmacyAlertModule(config),
    httpHost: config.HTTP_HOST,
    httpPort: config.HTTP_PORT,
  });
}

main().catch((error: unknown) => {
  // Config errors name the variable, never its value; safe to print.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
