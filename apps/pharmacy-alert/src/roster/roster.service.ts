import { unstorableTextPaths } from '@sc/platform';
import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { MetricsRegistry, createLogger } from '@sc/observability';
import type { EventEnvelope } from '@sc/contracts';
import { canonicalLanguage, unrecognisedLanguages } from '@sc/language';
import { EVENT_RELEVANCE } from '@sc/messaging';
import type { AttributionIndex } from '../attribution/attribution-index';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { rosterRowsFromCsv } from './roster-csv';
import { RosterPatientDto, type RosterUploadResultDto } from './roster.dto';
import { RosterRepository } from './roster.repository';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

@Injectable()
export class RosterService {
  private readonly logger = createLogger(RosterService.name);
  private readonly languages: ReturnType<typeof unrecognisedLanguages>;

  constructor(
    private readonly roster: RosterRepository,
    @Inject(EVENT_RELEVANCE) private readonly attribution: AttributionIndex,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.languages = unrecognisedLanguages(metrics);
  }

  /**
   * Idempotent upsert; each row is validated and stored on its own, bad rows are reported, good
   * rows load. Answers once this instance's attribution index holds the loaded rows, so the next
   * event about them is worked here (other instances follow within milliseconds).
   */
  async upsertRows(rows: Record<string, unknown>[]): Promise<RosterUploadResultDto> {
    const result: RosterUploadResultDto = { accepted: 0, rejected: 0, rowErrors: [], rowWarnings: [] };
    for (const [index, raw] of rows.entries()) {
      const row = plainToInstance(RosterPatientDto, raw);
      const errors = [
        ...unstorableTextPaths(raw).map((field) => `${field} holds a character that cannot be stored (NUL or a lone surrogate)`),
        ...flatten(validateSync(row, { whitelist: true, forbidNonWhitelisted: true })),
      ];
      if (errors.length > 0) {
        result.rejected += 1;
        result.rowErrors.push({ row: index + 1, errors });
        continue;
      }
      const language = canonicalLanguage(row.preferredLanguage);
      this.languages.report('roster', language);
      if (language && !language.recognised) {
        result.rowWarnings.push({ row: index + 1, errors: ['preferredLanguage: no ISO 639 table names this value; kept as given'] });
      }
      await this.roster.upsert({ ...row, preferredLanguage: language?.code });
      result.accepted += 1;
    }
    await this.attribution.caughtUp();
    this.logger.info({ accepted: result.accepted, rejected: result.rejected }, 'roster rows loaded');
    return result;
  }

  async upsertCsv(text: string): Promise<RosterUploadResultDto> {
    const { rows, missingColumns } = rosterRowsFromCsv(text);
    if (missingColumns.length > 0) {
      throw new PharmacyError(PharmacyErrorCode.InvalidCsv, `CSV lacks required column(s): ${missingColumns.join(', ')}`);
    }
    if (rows.length === 0) {
      throw new PharmacyError(PharmacyErrorCode.InvalidCsv, 'CSV has a header but no rows');
    }
    return this.upsertRows(rows);
  }

  /** An enrollment system's change from Kafka; a row that fails validation is not retried (dead-lettered with the reasons). */
  async applyEnrollmentChange(event: EventEnvelope<'roster.enrollment-changed'>): Promise<void> {
    if (event.data.action === 'disenroll') {
      const id = event.data.patient.pharmacyPatientId;
      if (typeof id !== 'string') {
        throw new PharmacyError(PharmacyErrorCode.InvalidEnrollment, 'disenrollment without pharmacyPatientId');
      }
      await this.roster.setEnrolled(id, false);
      return;
    }
    const result = await this.upsertRows([event.data.patient]);
    if (result.rejected > 0) {
      throw new PharmacyError(PharmacyErrorCode.InvalidEnrollment, result.rowErrors[0].errors.join('; '));
    }
  }
}
