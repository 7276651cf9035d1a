import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CircuitSnapshot } from './circuit-breaker';
import { updateReturning } from '../../runtime/sql';

export interface WebhookEndpoint extends CircuitSnapshot {
  recipientId: string;
  url: string;
  secret: string;
  updatedAt: Date;
}

interface EndpointRow {
  recipient_id: string;
  url: string;
  secret: string;
  consecutive_failures: number;
  open_until: Date | null;
  updated_at: Date;
}

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  recipientId: row.recipient_id,
  url: row.url,
  secret: row.secret,
  consecutiveFailures: row.consecutive_failures,
  openUntil: row.open_until,
  updatedAt: row.updated_at,
});

@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new URL or secret is a new endpoint as far as the circuit is concerned: it starts closed. */
  async upsert(recipientId: string, url: string, secret: string): Promise<WebhookEndpoint> {
    const rows: EndpointRow[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (recipient_id, url, secret) VALUES ($1, $2, $3)
       ON CONFLICT (recipient_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,
         consecutive_failures = 0, open_until = NULL, updated_at = now()
       RETURNING *`,
      [recipientId, url, secret],
    );
    return toEndpoint(rows[0]);
  }

  async find(recipientId: string): Promise<WebhookEndpoint | undefined> {
    const rows: EndpointRow[] = await this.dataSource.query('SELECT * FROM webhook_endpoints WHERE recipient_id = $1', [recipientId]);
    return rows[0] ? toEndpoint(rows[0]) : undefined;
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
