import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { claimInbox } from '@sc/messaging';

/** Keeps the discharge diagnoses each patient has, the input of the care-gap rules. */
@Injectable()
export class ClinicalContextService {
  constructor(private readonly dataSource: DataSource) {}

  async recordDischargeDiagnoses(event: EventEnvelope<'encounter.discharged'>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, 'care-gap', event))) {
        return;
      }
      for (const diagnosis of event.data.diagnoses) {
        await manager.query(
          `INSERT INTO patient_conditions (subject, code, coding_system, source_event_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (subject, code) DO UPDATE SET source_event_id = EXCLUDED.source_event_id, recorded_at = now()`,
          [event.subject, diagnosis.code, diagnosis.codingSystem, event.id],
        );
      }
    });
  }
}
