import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { createLogger } from '@sc/observability';
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

  constructor(private readonly roster: RosterRepository) {}

  /** Idempotent upsert; each row is validated and stored on its own, bad rows are reported, good rows load. */
  async upsertRows(rows: Record<string, unknown>[]): Promise<RosterUploadResultDto> {
    const result: RosterUploadResultDto = { accepted: 0, rejected: 0, rowErrors: [] };
    for (const [index, raw] of rows.entries()) {
      const row = plainToInstance(RosterPatientDto, raw);
      const errors = flatten(validateSync(row, { whitelist: true, forbidNonWhitelisted: true }));
      if (errors.length > 0) {
        result.rejected += 1;
        result.rowErrors.push({ row: index + 1, errors });
        continue;
      }
      await this.roster.upsert(row);
      result.accepted += 1;
    }
    this.logger.info({ accepted: result.accepted, rejected: result.rejected }, 'roster rows loaded');
    return result;
  }
}
