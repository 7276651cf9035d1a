import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CircuitSnapshot } from './circuit-breaker';
import { updateReturning } from '../../runtime/sql';
import { SecretKeyring, SecretUnreadableError } from '../../secrets/secret-keyring';

/** An endpoint as the API and the circuit see it: never with its secret. */
export interface WebhookEndpoint extends CircuitSnapshot {
  recipientId: string;
  url: string;
  updatedAt: Date;
}

/** What a send needs: the endpoint and its signing secret, or why the secret cannot be read. */
export type SendableEndpoint = WebhookEndpoint & ({ secret: string } | { secret: null; unreadableKeyId: string });

export type SecretFormat = 'plaintext' | 'aes-256-gcm';

interface EndpointRow {
  recipient_id: string;
  url: string;
  secret: string;
  secret_format: SecretFormat;
  secret_key_id: string | null;
  consecutive_failures: number;
  open_until: Date | null;
  updated_at: Date;
}

export interface SealReport {
  /** Rows that were plaintext or under a previous key and are now under the current key. */
  sealed: number;
  /** Rows under keys this instance does not hold, by key id (ids are not secret). */
  unreadable: Record<string, number>;
}

const ENDPOINT_COLUMNS = 'recipient_id, url, secret, secret_format, secret_key_id, consecutive_failures, open_until, updated_at';
const SEAL_BATCH = 200;

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  recipientId: row.recipient_id,
  url: row.url,
  consecutiveFailures: row.consecutive_failures,
  openUntil: row.open_until,
  updatedAt: row.updated_at,
});

/** Authenticated with the ciphertext, so a secret copied onto another recipient's row does not open. */
const sealContext = (recipientId: string): string => `webhook_endpoints:${recipientId}`;

/**
 * Webhook endpoints with their circuit state. Signing secrets are sealed with the current key of
 * the keyring on write; a row still in plain text (written before encryption) or under a
 * previous key is re-sealed under the current key on its first use and by `sealStale` at boot.
 */
@Injectable()
export class WebhookEndpointRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: SecretKeyring,
  ) {}

  /** A new URL or secret is a new endpoint as far as the circuit is concerned: it starts closed. */
  async upsert(recipientId: string, url: string, secret: string): Promise<WebhookEndpoint> {
    const sealed = this.keyring.seal(secret, sealContext(recipientId));
    const rows: EndpointRow[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (recipient_id, url, secret, secret_format, secret_key_id) VALUES ($1, $2, $3, 'aes-256-gcm', $4)
       ON CONFLICT (recipient_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, secret_format = EXCLUDED.secret_format,
         secret_key_id = EXCLUDED.secret_key_id, consecutive_failures = 0, open_until = NULL, updated_at = now()
       RETURNING ${ENDPOINT_COLUMNS}`,
      [recipientId, url, sealed.ciphertext, sealed.keyId],
    );
    return toEndpoint(rows[0]);
  }

  async find(recipientId: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.row(recipientId);
    return row && toEndpoint(row);
  }

  /** The endpoint with its secret opened, re-sealing a plaintext or previous-key row on the way. */
  async findForSending(recipientId: string): Promise<SendableEndpoint | undefined> {
    const row = await this.row(recipientId);
    if (!row) {
      return undefined;
    }
    try {
      const secret = this.open(row);
      await this.resealIfStale(row, secret);
      return { ...toEndpoint(row), secret };
    } catch (error) {
      if (error instanceof SecretUnreadableError) {
        return { ...toEndpoint(row), secret: null, unreadableKeyId: error.keyId };
      }
      throw error;
    }
  }

  /** Boot step: every plaintext or previous-key row is re-sealed under the current key. */
  async sealStale(): Promise<SealReport> {
    const report: SealReport = { sealed: 0, unreadable: {} };
    let after = '';
    for (;;) {
      const rows: EndpointRow[] = await this.dataSource.query(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
         WHERE recipient_id > $1 AND (secret_format = 'plaintext' OR secret_key_id <> $2)
         ORDER BY recipient_id LIMIT $3`,
        [after, this.keyring.currentKeyId, SEAL_BATCH],
      );
      for (const row of rows) {
        try {
          report.sealed += (await this.resealIfStale(row, this.open(row))) ? 1 : 0;
        } catch (error) {
          if (!(error instanceof SecretUnreadableError)) {
            throw error;
          }
          report.unreadable[error.keyId] = (report.unreadable[error.keyId] ?? 0) + 1;
        }
      }
      if (rows.length < SEAL_BATCH) {
        return report;
      }
      after = rows[rows.length - 1].recipient_id;
    }
  }

  private async row(recipientId: string): Promise<EndpointRow | undefined> {
    const rows: EndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE recipient_id = $1`, [recipientId]);
    return rows[0];
  }

  private open(row: EndpointRow): string {
    switch (row.secret_format) {
      case 'plaintext':
        return row.secret;
      case 'aes-256-gcm':
        return this.keyring.open({ keyId: row.secret_key_id ?? '', ciphertext: row.secret }, sealContext(row.recipient_id));
    }
  }

  /**
   * Only if the row still holds what was read: a secret replaced meanwhile (PUT .../webhook, or
   * another instance sealing it first) is left alone. Circuit state and updated_at are untouched.
   */
  private async resealIfStale(row: EndpointRow, secret: string): Promise<boolean> {
    if (row.secret_format === 'aes-256-gcm' && row.secret_key_id === this.keyring.currentKeyId) {
      return false;
    }
    const sealed = this.keyring.seal(secret, sealContext(row.recipient_id));
    const updated = await updateReturning<unknown>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints SET secret = $2, secret_format = 'aes-256-gcm', secret_key_id = $3
       WHERE recipient_id = $1 AND secret = $4 AND secret_format = $5
       RETURNING 1`,
      [row.recipient_id, sealed.ciphertext, sealed.keyId, row.secret, row.secret_format],
    );
    return updated.length === 1;
  }

  /**
   * Takes the single half-open probe: succeeds for exactly one caller across instances, and
   * re-arms the open period so the others keep waiting while the probe is out.
   */
  async takeProbe(recipientId: string, reopenUntil: Date, threshold: number): Promise<boolean> {
    const rows = await updateReturning<unknown>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints SET open_until = $2
       WHERE recipient_id = $1 AND consecutive_failures >= $3 AND (open_until IS NULL OR open_until <= now())
       RETURNING 1`,
      [recipientId, reopenUntil, threshold],
    );
    return rows.length === 1;
  }

  /** Counts one more consecutive failure; returns the new count. */
  async recordFailure(recipientId: string): Promise<number> {
    const rows = await updateReturning<{ consecutive_failures: number }>(
      this.dataSource.manager,
      `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE recipient_id = $1
       RETURNING consecutive_failures`,
      [recipientId],
    );
    return rows[0]?.consecutive_failures ?? 0;
  }

  async openCircuit(recipientId: string, until: Date): Promise<void> {
    await this.dataSource.query('UPDATE webhook_endpoints SET open_until = $2 WHERE recipient_id = $1', [recipientId, until]);
  }

  async recordSuccess(recipientId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_endpoints SET consecutive_failures = 0, open_until = NULL
       WHERE recipient_id = $1 AND (consecutive_failures > 0 OR open_until IS NOT NULL)`,
      [recipientId],
    );
  }
}
