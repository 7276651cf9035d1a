import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** Thrown at boot when the environment is wrong; names every bad variable, never its value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = ConfigError.name;
  }
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const name = `${prefix}${error.property}`;
    const own = Object.keys(error.constraints ?? {}).map((rule) => `${name} fails ${rule}`);
    return [...own, ...describe(error.children ?? [], `${name}.`)];
  });
}

/**
 * Secrets may come from files (mounted Kubernetes secrets): `X_FILE=/path` sets `X` to the file's
 * content when `X` itself is not set. A missing file is a configuration error naming X_FILE.
 */
function withSecretFiles(env: Record<string, string | undefined>, settings: ReadonlySet<string>): Record<string, string | undefined> {
  const result = { ...env };
  for (const [key, path] of Object.entries(env)) {
    const target = key.slice(0, -'_FILE'.length);
    // Only for this service's own settings: other programs' *_FILE variables are none of our business.
    if (!key.endsWith('_FILE') || path === undefined || !settings.has(target) || result[target] !== undefined) {
      continue;
    }
    try {
      result[target] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new ConfigError([`${key} names a file that cannot be read`]);
    }
  }
  return result;
}

/**
 * Reads a config class from environment variables (property name = variable name), applying the
 * class's defaults and @Type/@Transform conversions, and refuses to continue on any invalid value.
 */
export function loadConfig<T extends object>(type: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const settings = new Set(getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).map((metadata) => metadata.propertyName));
  const defined = withSecretFiles(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
    settings,
  );
  const config = plainToInstance(type, defined, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(describe(errors));
  }
  return config;
}
