import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AdtMessage } from '@sc/hl7';
import { canonicalLanguage } from '@sc/language';
import { MetricsRegistry, type Counter } from '@sc/observability';
import type { EncounterWarning } from '../encounters/encounter-state-machine';

/**
 * Data-quality warnings recorded on an accepted message: it took effect, but the interface team
 * should look at what the sender put in it. The encounter warnings come from the state machine;
 * `language-unrecognised` is a PID-15 no ISO 639 table names (published as sent).
 */
export const MESSAGE_WARNINGS = ['discharge-before-last-event', 'discharge-after-cancelled-admission', 'language-unrecognised'] as const;
export type MessageWarning = (typeof MESSAGE_WARNINGS)[number] & (EncounterWarning | 'language-unrecognised');

export interface MessageWarningRow {
  readonly messageId: string;
  readonly warning: MessageWarning;
}

/** The warnings of one accepted message. Pure. */
export function messageWarnings(adt: AdtMessage, encounterWarnings: readonly EncounterWarning[] = []): MessageWarning[] {
  const language = canonicalLanguage(adt.patient.primaryLanguage);
  return [...encounterWarnings, ...(language && !language.recognised ? (['language-unrecognised'] as const) : [])];
}

/** Stores warnings in the message's transaction, searchable by the operator API. */
@Injectable()
export class MessageWarningRepository {
  private readonly counter: Counter;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.counter = metrics.counter('sc_ingest_quality_warnings_total', 'Accepted messages with a data-quality warning, by warning (see docs/ingest.md).');
  }

  async insertMany(manager: EntityManager, rows: readonly MessageWarningRow[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await manager.query('INSERT INTO message_warnings (message_id, warning) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING', [
      rows.map((row) => row.messageId),
      rows.map((row) => row.warning),
    ]);
    // Counted when written; a batch that then rolls back is retried message by message, so a warning can count twice.
    rows.forEach((row) => this.counter.inc({ warning: row.warning }));
  }
}
