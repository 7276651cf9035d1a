import { PARTICIPATING_PLAN } from '../../feed/synthetic-hospital';

/** The `--service-env` option of the benchmarks: settings to compare, given to every service (`--service-env EVENTS_PER_TRANSACTION=50`). */
export const SERVICE_ENV_OPTION = { 'service-env': { type: 'string' as const, multiple: true as const, default: [] as string[] } };

/**
 * What every benchmark gives the services it starts: the plan the feed's attributed patients
 * carry is a participating one, so care-gap and referral serve them. Services whose config does
 * not define a setting ignore it (config classes validate only their own settings). Services run
 * at their default log level, as in production. Development machines run PostgreSQL with
 * autovacuum off, so the services analyze their own young tables, as autovacuum would.
 */
export const BENCH_SERVICE_ENV: Readonly<Record<string, string>> = { PARTICIPATING_PLANS: PARTICIPATING_PLAN, TABLE_STATISTICS_INTERVAL_SECONDS: '5' };

/** NAME=value settings as an environment. */
export function serviceEnvFrom(settings: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    settings.map((setting) => {
      const separator = setting.indexOf('=');
      if (separator < 1) {
        throw new Error(`--service-env takes NAME=value, not ${setting}`);
      }
      return [setting.slice(0, separator), setting.slice(separator + 1)];
    }),
  );
}
