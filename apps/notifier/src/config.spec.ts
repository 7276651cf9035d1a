import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@sc/config';
import { NotifierConfig } from './config';
import { DEVELOPMENT_SECRET_KEY } from './secrets/secret-keyring';

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(NotifierConfig, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('configuration was accepted');
};

/** ServiceConfig picks its own development defaults from the process's NODE_ENV, as a production process would. */
function inProduction<T>(load: () => T): T {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return load();
  } finally {
    process.env.NODE_ENV = before;
  }
}

describe(NotifierConfig.name, () => {
  const key = randomBytes(32).toString('base64');

  it('uses the development secret key outside production', () => {
    expect(loadConfig(NotifierConfig, { NODE_ENV: 'test' }).NOTIFIER_SECRET_KEY).toBe(DEVELOPMENT_SECRET_KEY);
  });

  it('refuses to start in production without a secret key of its own, naming the variable', () => {
    const production = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks' };
    expect(inProduction(() => refusal(production))).toBe('invalid configuration: NOTIFIER_SECRET_KEY fails notDevelopmentKeyInProduction');
    const developmentKeyAsHex = Buffer.from(DEVELOPMENT_SECRET_KEY, 'base64').toString('hex');
    expect(inProduction(() => refusal({ ...production, NOTIFIER_SECRET_KEY: developmentKeyAsHex }))).toContain('NOTIFIER_SECRET_KEY');
    expect(inProduction(() => loadConfig(NotifierConfig, { ...production, NOTIFIER_SECRET_KEY: key })).NOTIFIER_SECRET_KEY).toBe(key);
  });

  it('reads the secret key from NOTIFIER_SECRET_KEY_FILE', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'notifier-key-')), 'key');
    writeFileSync(file, `${key}\n`);
    expect(loadConfig(NotifierConfig, { NOTIFIER_SECRET_KEY_FILE: file }).NOTIFIER_SECRET_KEY).toBe(key);
  });

  it('refuses a malformed current or previous key without echoing it', () => {
    const message = refusal({ NOTIFIER_SECRET_KEY: 'too-short-to-be-a-key', NOTIFIER_SECRET_PREVIOUS_KEYS: `${key},also-not-a-key` });
    expect(message).toContain('NOTIFIER_SECRET_KEY');
    expect(message).toContain('NOTIFIER_SECRET_PREVIOUS_KEYS');
    expect(message).not.toContain('too-short-to-be-a-key');
    expect(message).not.toContain('also-not-a-key');
  });

  it('reads previous keys as a comma-separated list', () => {
    const previous = [randomBytes(32).toString('hex'), randomBytes(32).toString('base64')];
    expect(loadConfig(NotifierConfig, { NOTIFIER_SECRET_PREVIOUS_KEYS: previous.join(', ') }).NOTIFIER_SECRET_PREVIOUS_KEYS).toEqual(previous);
  });

  it('accepts a private CA for the SMTP relay as PEM, from SMTP_TLS_CA_FILE too', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'notifier-ca-')), 'ca.crt');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(loadConfig(NotifierConfig, { SMTP_TLS_CA_FILE: file }).SMTP_TLS_CA).toContain('BEGIN CERTIFICATE');
    expect(refusal({ SMTP_TLS_CA: '/etc/ssl/ca.crt' })).toContain('SMTP_TLS_CA');
  });
  it('refuses SMTP credentials without TLS in production, and allows them over STARTTLS or to a local relay outside production', () => {
    const production = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', NOTIFIER_SECRET_KEY: key, SMTP_HOST: 'smtp.example', SMTP_USER: 'notifier', SMTP_PASSWORD: 'secret' };
    expect(inProduction(() => refusal(production))).toBe('invalid configuration: SMTP_TLS fails tlsForSmtpCredentialsInProduction');
    expect(inProduction(() => loadConfig(NotifierConfig, { ...production, SMTP_TLS: 'starttls' })).SMTP_TLS).toBe('starttls');
    expect(loadConfig(NotifierConfig, { SMTP_HOST: 'localhost', SMTP_USER: 'notifier', SMTP_PASSWORD: 'secret' }).SMTP_TLS).toBe('none');
  });
});
