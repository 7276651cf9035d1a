import { Injectable } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { EnvelopeOf, PlanBenefit } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { CareGapError, CareGapErrorCode } from '../errors/care-gap-error';
import type { EventCause } from '../gaps/care-gap-events';
import { GapDetector, type EvaluationResult } from '../gaps/gap-detector.service';
import type { SensitiveCategory } from '../gaps/sensitive-categories';
import { BenefitRowDto, ConditionRowDto, CoverageRowDto, DeviceRowDto, type BulkResultView, type ConsentDto, type ConsentView, type RowErrorView } from './context.dto';
import { ContextRepository } from './context.repository';

export type ContextEvent = EnvelopeOf<'context.conditions-changed' | 'context.devices-changed' | 'context.benefits-changed'>;

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

function validateRows<T extends object>(type: ClassConstructor<T>, rows: readonly Record<string, unknown>[]): { valid: T[]; rowErrors: RowErrorView[] } {
  const valid: T[] = [];
  const rowErrors: RowErrorView[] = [];
  rows.forEach((raw, index) => {
    const row = plainToInstance(type, raw);
    const errors = flatten(validateSync(row, { whitelist: true, forbidNonWhitelisted: true }));
    if (errors.length > 0) {
      rowErrors.push({ row: index + 1, errors });
    } else {
      valid.push(row);
    }
  });
  return { valid, rowErrors };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  }
  return groups;
}

const toBenefit = (row: BenefitRowDto): PlanBenefit => ({
  itemSystem: row.itemSystem,
  itemCode: row.itemCode,
  coverage: row.coverage,
  quantityLimit: row.quantityLimit ? { quantity: row.quantityLimit.quantity, periodDays: row.quantityLimit.periodDays } : null,
  benefitRuleId: row.benefitRuleId,
});

/**
 * Loads the clinical context (conditions, devices, plan membership, plan benefits, consents)
 * from bulk uploads and from the context feed, and has the affected patients' gaps evaluated in
 * the same transaction as each change.
 */
@Injectable()
export class ContextService {
  private readonly logger = createLogger(ContextService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly context: ContextRepository,
    private readonly detector: GapDetector,
  ) {}

  loadConditions(rows: Record<string, unknown>[]): Promise<BulkResultView> {
    return this.loadPerPatient(ConditionRowDto, rows, async (manager, subject, patientRows) => {
      await this.context.upsertConditions(
        manager,
        subject,
        patientRows.map((row) => ({ code: row.code, codingSystem: 'ICD10', status: row.status, source: 'bulk-api', sourceEventId: null })),
      );
    });
  }

  loadDevices(rows: Record<string, unknown>[]): Promise<BulkResultView> {
    return this.loadPerPatient(DeviceRowDto, rows, async (manager, subject, patientRows) => {
      await this.context.upsertDevices(
        manager,
        subject,
        patientRows.map((row) => ({ system: row.system, code: row.code, present: row.status === 'present', flaggedByPharmacist: false, source: 'bulk-api' })),
      );
    });
  }

  loadCoverage(rows: Record<string, unknown>[]): Promise<BulkResultView> {
    return this.loadPerPatient(CoverageRowDto, rows, async (manager, subject, patientRows) => {
      await this.context.setPlan(manager, subject, patientRows[patientRows.length - 1].planId);
    });
  }

  async loadBenefits(rows: Record<string, unknown>[]): Promise<BulkResultView> {
    const { valid, rowErrors } = validateRows(BenefitRowDto, rows);
    const correlationId = `bulk:${randomUUID()}`;
    let gapsUpdated = 0;
    for (const [planId, planRows] of groupBy(valid, (row) => row.planId)) {
      gapsUpdated += await this.unitOfWork.run(async (manager) => {
        for (const row of planRows) {
          await this.context.upsertBenefit(manager, planId, toBenefit(row));
        }
        return this.detector.refreshCoverage(manager, planId, { correlationId, causationId: null });
      });
    }
    this.logger.info({ accepted: valid.length, rejected: rowErrors.length, gapsUpdated }, 'plan benefits loaded');
    return { accepted: valid.length, rejected: rowErrors.length, rowErrors, gapsOpened: 0, gapsUpdated, gapsClosed: 0 };
  }

  async benefitsOf(planId: string): Promise<PlanBenefit[]> {
    return this.context.benefitsOf(this.dataSource.manager, planId);
  }

  /** A context-feed event; a malformed one is refused without retries (dead-lettered with the reasons). */
  async applyContextEvent(event: ContextEvent): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const cause: EventCause = { subject: event.subject, correlationId: event.correlationId, causationId: event.id };
      switch (event.type) {
        case 'context.conditions-changed': {
          const rows = this.validEventRows(ConditionRowDto, event.data.conditions, event.subject);
          await this.context.lockPatient(manager, event.subject);
          await this.context.upsertConditions(
            manager,
            event.subject,
            rows.map((row) => ({ code: row.code, codingSystem: 'ICD10', status: row.status, source: 'context-feed', sourceEventId: event.id })),
          );
          await this.detector.evaluate(manager, event.subject, cause);
          return;
        }
        case 'context.devices-changed': {
          const rows = this.validEventRows(DeviceRowDto, event.data.devices, event.subject);
          await this.context.lockPatient(manager, event.subject);
          await this.context.upsertDevices(
            manager,
            event.subject,
            rows.map((row) => ({ system: row.system, code: row.code, present: row.status === 'present', flaggedByPharmacist: false, source: 'context-feed' })),
          );
          await this.detector.evaluate(manager, event.subject, cause);
          return;
        }
        case 'context.benefits-changed': {
          const rows = this.validEventRows(
            BenefitRowDto,
            (Array.isArray(event.data.benefits) ? event.data.benefits : []).map((benefit) => ({ ...benefit, planId: event.data.planId })),
          );
          for (const row of rows) {
            await this.context.upsertBenefit(manager, row.planId, toBenefit(row));
          }
          await this.detector.refreshCoverage(manager, event.data.planId, { correlationId: event.correlationId, causationId: event.id });
          return;
        }
      }
    });
  }

  async recordConsent(subject: string, category: SensitiveCategory, consent: ConsentDto, actorId: string): Promise<ConsentView[]> {
    return this.unitOfWork.run(async (manager) => {
      await this.context.lockPatient(manager, subject);
      await this.context.recordConsent(manager, subject, category, consent.granted, actorId, consent.reason);
      await this.detector.evaluate(manager, subject, { subject, correlationId: `consent:${subject}`, causationId: null });
      return this.context.consentsOf(manager, subject);
    });
  }

  consentsOf(subject: string): Promise<ConsentView[]> {
    return this.context.consentsOf(this.dataSource.manager, subject);
  }

  private validEventRows<T extends object>(type: ClassConstructor<T>, rows: unknown, subject?: string): T[] {
    if (!Array.isArray(rows)) {
      throw new CareGapError(CareGapErrorCode.InvalidContextEvent, 'context event has no list of rows');
    }
    const { valid, rowErrors } = validateRows(
      type,
      rows.map((row: unknown) => ({ ...(typeof row === 'object' && row !== null ? row : {}), ...(subject !== undefined ? { subject } : {}) })),
    );
    if (rowErrors.length > 0) {
      throw new CareGapError(CareGapErrorCode.InvalidContextEvent, rowErrors.map((error) => `row ${error.row}: ${error.errors.join(', ')}`).join('; '));
    }
    return valid;
  }

  /** Validates every row, then applies each patient's rows and evaluates that patient in one transaction. */
  private async loadPerPatient<T extends { subject: string }>(
    type: ClassConstructor<T>,
    rows: Record<string, unknown>[],
    apply: (manager: EntityManager, subject: string, rows: T[]) => Promise<void>,
  ): Promise<BulkResultView> {
    const { valid, rowErrors } = validateRows(type, rows);
    const correlationId = `bulk:${randomUUID()}`;
    const totals: EvaluationResult = { opened: 0, updated: 0, closed: 0 };
    for (const [subject, patientRows] of groupBy(valid, (row) => row.subject)) {
      const result = await this.unitOfWork.run(async (manager) => {
        await this.context.lockPatient(manager, subject);
        await apply(manager, subject, patientRows);
        return this.detector.evaluate(manager, subject, { subject, correlationId, causationId: null });
      });
      totals.opened += result.opened;
      totals.updated += result.updated;
      totals.closed += result.closed;
    }
    this.logger.info({ type: type.name, accepted: valid.length, rejected: rowErrors.length, ...totals }, 'context rows loaded');
    return { accepted: valid.length, rejected: rowErrors.length, rowErrors, gapsOpened: totals.opened, gapsUpdated: totals.updated, gapsClosed: totals.closed };
  }
}
