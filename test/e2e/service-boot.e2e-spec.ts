import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { SystemUnderTest, databaseUrl, repoRoot } from '@sc/testing';

describe('every service boots on real infrastructure', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['care-gap', 'referral'] });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it.each(['care-gap', 'referral'] as const)('%s migrates its own database, joins Kafka, answers /health and serves OpenAPI', async (name) => {
    const service = system.service(name);
    const health = (await (await fetch(service.url('/health'))).json()) as { status: string; checks: Record<string, string> };
    expect(health).toMatchObject({ status: 'ok', checks: { database: 'up', kafka: 'up', consumer: 'up' } });

    const openApi = (await (await fetch(service.url('/docs-json'))).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openApi.openapi).toMatch(/^3\./);
    expect(Object.keys(openApi.paths)).toContain('/health');

    const db = new Client({ connectionString: databaseUrl(system.runId, name) });
    await db.connect();
    try {
      const { rows } = await db.query<{ name: string }>('SELECT name FROM migrations');
      expect(rows.map((row) => row.name)).toContain('InitialSchema1763800000000');
    } finally {
      await db.end();
    }
  });

  it('refuses to start with a bad environment value and names the variable', () => {
    const entry = path.join(repoRoot(), 'dist', 'apps', 'referral', 'src', 'main.js');
    const result = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, HTTP_PORT: 'not-a-port', KAFKA_BROKERS: 'no port here' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('HTTP_PORT');
    expect(result.stderr).toContain('KAFKA_BROKERS');
  });
});
