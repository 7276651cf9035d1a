/** The `--service-env` option of the benchmarks: settings to compare, given to every service (`--service-env EVENT_TRANSACTIONS_IN_FLIGHT=1`). */
export const SERVICE_ENV_OPTION = { 'service-env': { type: 'string' as const, multiple: true as const, default: [] as string[] } };

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
