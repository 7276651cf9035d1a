import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@sc/config';
import { AdtIngestConfig } from './config';
import { mllpTlsOptions } from './mllp/mllp.listener';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(AdtIngestConfig, env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
};

describe(AdtIngestConfig.name, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'adt-ingest-config-'));
    writeFileSync(path.join(dir, 'server.crt'), CERT);
    writeFileSync(path.join(dir, 'server.key'), KEY);
    writeFileSync(path.join(dir, 'ca.crt'), CERT);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves plain MLLP on 127.0.0.1 by default, original acknowledgments, 30 days of raw text', () => {
    const config = loadConfig(AdtIngestConfig, {});

    expect(mllpTlsOptions(config)).toBeUndefined();
    expect([config.MLLP_HOST, config.ENHANCED_ACK_FACILITIES, config.RAW_RETENTION_DAYS]).toEqual(['127.0.0.1', [], 30]);
  });

  it('reads the TLS certificate, key and CA from secret files and asks for client certificates when told to', () => {
    const config = loadConfig(AdtIngestConfig, {
      MLLP_TLS_CERT_FILE: path.join(dir, 'server.crt'),
      MLLP_TLS_KEY_FILE: path.join(dir, 'server.key'),
      MLLP_TLS_CA_FILE: path.join(dir, 'ca.crt'),
      MLLP_TLS_REQUIRE_CLIENT_CERT: 'true',
    });

    expect(mllpTlsOptions(config)).toMatchObject({ cert: CERT.trimEnd(), key: KEY.trimEnd(), ca: CERT.trimEnd(), requestCert: true, rejectUnauthorized: true });
  });

  it('refuses a certificate without its key, mutual TLS without a CA, and a secret file it cannot read', () => {
    expect(problems({ MLLP_TLS_CERT: CERT }).join()).toContain('MLLP_TLS_KEY');
    expect(problems({ MLLP_TLS_CERT: CERT, MLLP_TLS_KEY: KEY, MLLP_TLS_REQUIRE_CLIENT_CERT: 'true' }).join()).toContain('MLLP_TLS_CA');
    expect(problems({ MLLP_TLS_CERT_FILE: path.join(dir, 'missing.crt') }).join()).toContain('MLLP_TLS_CERT_FILE');
    expect(problems({ MLLP_TLS_CERT: 'not a certificate', MLLP_TLS_KEY: KEY }).join()).toContain('MLLP_TLS_CERT');
  });

  it('reads the enhanced-acknowledgment facilities as a list and refuses unknown time zones', () => {
    expect(loadConfig(AdtIngestConfig, { ENHANCED_ACK_FACILITIES: 'LGH, RVH' }).ENHANCED_ACK_FACILITIES).toEqual(['LGH', 'RVH']);
    expect(problems({ FACILITY_TIME_ZONES: 'LGH=Mars/Olympus' }).join()).toContain('FACILITY_TIME_ZONES');
  });

  it('refuses a batch size or a retention it cannot honour', () => {
    expect(problems({ INGEST_BATCH_MAX_MESSAGES: '0' }).join()).toContain('INGEST_BATCH_MAX_MESSAGES');
    expect(problems({ RAW_RETENTION_DAYS: '0' }).join()).toContain('RAW_RETENTION_DAYS');
  });
});
