import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook signing secrets are stored encrypted (AES-256-GCM) with the id of the key that sealed
 * them. A migration cannot encrypt the existing rows (it has no key), so they are marked
 * `plaintext` and the service seals them at boot and on first use. The default stays
 * `plaintext` so an instance of the previous release, still running during a rolling upgrade,
 * writes rows that are recognised and sealed the same way.
 */
export class WebhookSecretFormat1765000000000 implements MigrationInterface {
  name = 'WebhookSecretFormat1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE webhook_endpoints
        ADD COLUMN secret_format text NOT NULL DEFAULT 'plaintext',
        ADD COLUMN secret_key_id text,
        ADD CONSTRAINT webhook_endpoints_secret_format_check
          CHECK (secret_format IN ('plaintext', 'aes-256-gcm') AND (secret_format = 'aes-256-gcm') = (secret_key_id IS NOT NULL));
    `);
  }

  /** The previous release would sign with ciphertext as the secret; refuse rather than break every endpoint silently. */
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE secret_format <> 'plaintext') THEN
          RAISE EXCEPTION 'webhook_endpoints holds encrypted secrets; re-register the endpoints (or restore the secrets) before reverting';
        END IF;
      END $$;
      ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_secret_format_check,
        DROP COLUMN secret_key_id, DROP COLUMN secret_format;
    `);
  }
}
