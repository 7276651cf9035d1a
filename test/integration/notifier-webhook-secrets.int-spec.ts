import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { WebhookEndpointRepository } from '../../apps/notifier/src/channels/webhook/webhook-endpoint.repository';
import { MIGRATIONS } from '../../apps/notifier/src/migrations';
import { WebhookSecretFormat1765000000000 } from '../../apps/notifier/src/migrations/1765000000000-webhook-secret-format';
import { SecretKeyring } from '../../apps/notifier/src/secrets/secret-keyring';

interface StoredSecret {
  recipient_id: string;
  secret: string;
  secret_format: string;
  secret_key_id: string | null;
}

describe('notifier webhook secrets at rest', () => {
  const runId = newRunId();
  const options = { url: databaseUrl(runId, 'notifier-secrets'), serviceName: 'notifier-secrets', poolSize: 2 };
  // Up to the migration under test, so that undoing the last one reverts exactly it.
  const underTest = MIGRATIONS.slice(0, MIGRATIONS.indexOf(WebhookSecretFormat1765000000000) + 1);
  const before = underTest.slice(0, -1);
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const legacySecret = 'legacy-plaintext-secret-0123456789abcdef';
  let dataSource: DataSource;

  const stored = async (recipientId: string): Promise<StoredSecret> =>
    (await dataSource.query('SELECT recipient_id, secret, secret_format, secret_key_id FROM webhook_endpoints WHERE recipient_id = $1', [recipientId]))[0];
  const repository = (keyring: SecretKeyring): WebhookEndpointRepository => new WebhookEndpointRepository(dataSource, keyring);

  beforeAll(async () => {
    // Endpoints registered by the release before encryption, with their secrets in plain text.
    const previousRelease = await openDatabase({ ...options, migrations: before });
    try {
      for (const id of ['legacy-1', 'legacy-2', 'legacy-3']) {
        await previousRelease.query('INSERT INTO recipients (id, roles) VALUES ($1, $2)', [id, ['nurse']]);
        await previousRelease.query('INSERT INTO webhook_endpoints (recipient_id, url, secret, consecutive_failures) VALUES ($1, $2, $3, 2)', [
          id,
          'https://pager.hospital.example/hooks',
          legacySecret,
        ]);
      }
    } finally {
      await previousRelease.destroy();
    }
    dataSource = await openDatabase({ ...options, migrations: underTest });
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  it('marks the rows written before encryption as plaintext', async () => {
    expect(await stored('legacy-1')).toEqual({ recipient_id: 'legacy-1', secret: legacySecret, secret_format: 'plaintext', secret_key_id: null });
  });

  it('encrypts a plaintext secret on its first use, leaving the circuit state alone', async () => {
    const endpoints = repository(new SecretKeyring(oldKey));
    const endpoint = await endpoints.findForSending('legacy-1');
    expect(endpoint).toMatchObject({ secret: legacySecret, consecutiveFailures: 2 });
    const row = await stored('legacy-1');
    expect(row).toMatchObject({ secret_format: 'aes-256-gcm', secret_key_id: new SecretKeyring(oldKey).currentKeyId });
    expect(row.secret).not.toContain(legacySecret);
    expect((await endpoints.findForSending('legacy-1'))?.secret).toBe(legacySecret);
    expect((await dataSource.query(`SELECT consecutive_failures FROM webhook_endpoints WHERE recipient_id = 'legacy-1'`))[0]).toEqual({ consecutive_failures: 2 });
  });

  it('encrypts the remaining plaintext secrets at boot', async () => {
    const report = await repository(new SecretKeyring(oldKey)).sealStale();
    expect(report).toEqual({ sealed: 2, unreadable: {} });
    const formats: Array<{ secret_format: string }> = await dataSource.query('SELECT DISTINCT secret_format FROM webhook_endpoints');
    expect(formats).toEqual([{ secret_format: 'aes-256-gcm' }]);
    expect(await repository(new SecretKeyring(oldKey)).sealStale()).toEqual({ sealed: 0, unreadable: {} });
  });

  it('stores a newly registered secret encrypted and never hands it out with the endpoint', async () => {
    await dataSource.query(`INSERT INTO recipients (id, roles) VALUES ('fresh', '{nurse}')`);
    const endpoints = repository(new SecretKeyring(oldKey));
    const secret = 'fresh-secret-0123456789abcdef0123456789';
    const endpoint = await endpoints.upsert('fresh', 'https://pager.hospital.example/fresh', secret);
    expect(JSON.stringify(endpoint)).not.toContain(secret);
    expect(JSON.stringify(await endpoints.find('fresh'))).not.toContain(secret);
    expect((await stored('fresh')).secret).not.toContain(secret);
    expect((await endpoints.findForSending('fresh'))?.secret).toBe(secret);
  });

  it('reports secrets under a key it lacks instead of sending with them, and leaves them as they are', async () => {
    const withoutOldKey = repository(new SecretKeyring(newKey));
    expect(await withoutOldKey.findForSending('legacy-2')).toMatchObject({ secret: null, unreadableKeyId: new SecretKeyring(oldKey).currentKeyId });
    expect(await withoutOldKey.sealStale()).toEqual({ sealed: 0, unreadable: { [new SecretKeyring(oldKey).currentKeyId]: 4 } });
    expect((await stored('legacy-2')).secret_key_id).toBe(new SecretKeyring(oldKey).currentKeyId);
  });

  it('re-encrypts every secret under the new key when the old one is configured as previous (rotation)', async () => {
    const rotated = new SecretKeyring(newKey, [oldKey]);
    expect((await repository(rotated).findForSending('legacy-2'))?.secret).toBe(legacySecret);
    expect(await repository(rotated).sealStale()).toEqual({ sealed: 3, unreadable: {} });
    const keyIds: Array<{ secret_key_id: string }> = await dataSource.query('SELECT DISTINCT secret_key_id FROM webhook_endpoints');
    expect(keyIds).toEqual([{ secret_key_id: rotated.currentKeyId }]);
    // The old key can now be removed from the configuration.
    expect((await repository(new SecretKeyring(newKey)).findForSending('legacy-3'))?.secret).toBe(legacySecret);
  });

  it('refuses to revert the migration while encrypted secrets exist, and reverts cleanly without them', async () => {
    await expect(dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/encrypted secrets/);
    await dataSource.query('DELETE FROM webhook_endpoints');
    await dataSource.undoLastMigration({ transaction: 'each' });
    const columns: Array<{ column_name: string }> = await dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'webhook_endpoints' AND column_name LIKE 'secret%' ORDER BY 1`,
    );
    expect(columns).toEqual([{ column_name: 'secret' }]);
    await dataSource.runMigrations({ transaction: 'each' });
    const applied: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((migration) => migration.name)).toEqual(underTest.map((migration) => migration.name));
  });
});
