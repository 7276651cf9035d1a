import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { claimInbox } from '@sc/messaging';

/** Remembers episodes whose discharge the hospital cancelled, so their referrals are not worked. */
@Injectable()
export class EpisodeCancellationService {
  constructor(private readonly dataSource: DataSource) {}

  async recordCancelledDischarge(event: EventEnvelope<'encounter.discharge-cancelled'>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, 'referral', event))) {
        return;
      }
      await manager.query(
        `INSERT INTO cancelled_episodes (correlation_id, source_event_id, cancelled_at) VALUES ($1, $2, $3)
         ON CONFLICT (correlation_id) DO NOTHING`,
        [event.correlationId, event.id, event.occurredAt],
      );
    });
  }
}
