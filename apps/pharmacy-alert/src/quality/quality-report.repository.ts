import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TaskKind } from '@sc/contracts';
import { UNSUCCESSFUL_CONTACT_OUTCOMES } from '../workflow/workflow.dto';
import type { DischargeFacts } from './quality-report';

interface FactsRow {
  episode_key: string;
  patient_id: string;
  task_id: string | null;
  kind: TaskKind | null;
  discharged_at: Date;
  expired: boolean;
  status: string | null;
  task_outcome: string | null;
  first_contact_at: Date | null;
  declined: boolean;
  unsuccessful_attempts: number;
  contact_due_at: Date | null;
  reconciliation_due_at: Date | null;
  reconciled_at: Date | null;
}

// A task cancelled because the patient died says so in its status reason (EncounterWorkService.expire).
const FACTS = `
  SELECT d.episode_key, d.patient_id, t.id AS task_id, t.kind, d.discharged_at,
         d.outcome = 'expired' OR coalesce(t.status_reason, '') = 'patient expired' AS expired,
         t.status, t.outcome AS task_outcome,
         (SELECT min(a.attempted_at) FROM contact_attempts a WHERE a.task_id = t.id AND a.outcome = 'reached') AS first_contact_at,
         EXISTS (SELECT 1 FROM contact_attempts a WHERE a.task_id = t.id AND a.outcome = 'declined') AS declined,
         (SELECT count(*)::int FROM contact_attempts a WHERE a.task_id = t.id AND a.outcome = ANY($5::text[])) AS unsuccessful_attempts,
         contact.due_at AS contact_due_at, reconciliation.due_at AS reconciliation_due_at, reconciliation.met_at AS reconciled_at
  FROM discharges d
  LEFT JOIN tasks t ON t.id = d.task_id
  LEFT JOIN task_clocks contact ON contact.task_id = t.id AND contact.clock = 'tcm-interactive-contact'
  LEFT JOIN task_clocks reconciliation ON reconciliation.task_id = t.id AND reconciliation.clock = 'hedis-medication-reconciliation'
  WHERE d.facility = $1 AND d.team_id = $2 AND d.discharged_at >= $3 AND d.discharged_at < $4
  ORDER BY d.discharged_at, d.episode_key`;

@Injectable()
export class QualityReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The discharges of a facility and team received with a clinical discharge time in [from, to). */
  async dischargeFacts(facility: string, teamId: string, from: Date, to: Date): Promise<DischargeFacts[]> {
    const rows: FactsRow[] = await this.dataSource.query(FACTS, [facility, teamId, from, to, UNSUCCESSFUL_CONTACT_OUTCOMES]);
    return rows.map((row) => ({
      episodeKey: row.episode_key,
      patientId: row.patient_id,
      taskId: row.task_id,
      kind: row.kind,
      dischargedAt: row.discharged_at,
      expired: row.expired,
      status: row.status,
      taskOutcome: row.task_outcome,
      firstContactAt: row.first_contact_at,
      declined: row.declined,
      unsuccessfulAttempts: row.unsuccessful_attempts,
      contactDueAt: row.contact_due_at,
      reconciliationDueAt: row.reconciliation_due_at,
      reconciledAt: row.reconciled_at,
    }));
  }
}
