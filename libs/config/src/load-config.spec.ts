import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IsInt, Max, Min } from 'class-validator';
import { TOPIC_CATALOGUE } from '@sc/contracts';
import { ConfigError, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

class ExampleConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3000;
}

describe(loadConfig.name, () => {
  it('applies defaults and converts types from the environment', () => {
    const config = loadConfig(ExampleConfig, { HTTP_PORT: '4100', KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094' });
    expect(config.HTTP_PORT).toBe(4100);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('reads a setting from the file named by <SETTING>_FILE and ignores other programs’ *_FILE variables', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    const secret = path.join(dir, 'redis-url');
    writeFileSync(secret, 'redis://secret-host:6379\n');
    const config = loadConfig(ExampleConfig, { REDIS_URL_FILE: secret, TF_CLI_CONFIG_FILE: '/nonexistent/terraform.rc' });
    expect(config.REDIS_URL).toBe('redis://secret-host:6379');
    expect(() => loadConfig(ExampleConfig, { REDIS_URL_FILE: path.join(dir, 'missing') })).toThrow(/REDIS_URL_FILE/);
  });

  it('refuses a bad value and names the variable but not the value', () => {
    let thrown: unknown;
    try {
      loadConfig(ExampleConfig, { HTTP_PORT: '99999', DATABASE_URL: 'mysql://secret-password@db' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('secret-password');
  });

  it('keeps inbox rows longer than any event can come back from a topic or its dead-letter topic', () => {
    const longestRetentionDays = Math.max(...Object.values(TOPIC_CATALOGUE).flatMap((spec) => [spec.retentionMs, spec.deadLetter.retentionMs])) / 86_400_000;
    expect(loadConfig(ExampleConfig, {}).INBOX_RETENTION_DAYS).toBeGreaterThan(longestRetentionDays);
    expect(() => loadConfig(ExampleConfig, { INBOX_RETENTION_DAYS: String(longestRetentionDays) })).toThrow(/INBOX_RETENTION_DAYS/);
    expect(loadConfig(ExampleConfig, { INBOX_RETENTION_DAYS: String(longestRetentionDays + 1) }).INBOX_RETENTION_DAYS).toBe(longestRetentionDays + 1);
  });
});
