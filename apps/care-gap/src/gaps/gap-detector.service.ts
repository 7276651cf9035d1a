import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { CareGapExplanation } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { CareGapConfig } from '../config';
import { ContextRepository } from '../context/context.repository';
import { RuleRepository } from '../rules/rule.repository';
import type { CareGapRule } from '../rules/rule-validation';
import { CareGapEvents, gapData, type EventCause } from './care-gap-events';
import { determineCoverage, sameCoverage, sameExplanation } from './coverage';
import { closeReasonFor, planGaps, type PlannedGap } from './gap-plan';
import { GapRepository, type GapRecord } from './gap.repository';

export interface EvaluationResult {
  opened: number;
  updated: number;
  closed: number;
}

const SYSTEM = 'system';

/**
 * Keeps a patient's gaps in line with the rules and the stored context: opens what is indicated
 * (one open gap per type), refreshes explanation and coverage, and closes what a death, a
 * facility, the item at home or the end of the indication settles. Runs inside the caller's
 * transaction, after the caller locked the patient.
 */
@Injectable()
export class GapDetector {
  private readonly logger = createLogger(GapDetector.name);

  constructor(
    private readonly context: ContextRepository,
    private readonly rules: RuleRepository,
    private readonly gaps: GapRepository,
    private readonly events: CareGapEvents,
    @Inject(SERVICE_CONFIG) private readonly config: CareGapConfig,
  ) {}

  async evaluate(manager: EntityManager, subject: string, cause: EventCause): Promise<EvaluationResult> {
    const patient = await this.context.loadContext(manager, subject);
    const planned = planGaps(await this.rules.current(manager), patient);
    const result: EvaluationResult = { opened: 0, updated: 0, closed: 0 };
    for (const gap of await this.gaps.openForSubject(manager, subject)) {
      const plan = gap.ruleTrigger === 'conditions' ? planned.get(gap.gapType) : undefined;
      planned.delete(gap.gapType);
      if (plan) {
        result.updated += (await this.reassess(manager, cause, gap, plan, patient.planId)) ? 1 : 0;
        continue;
      }
      const reason = closeReasonFor(gap, patient);
      if (reason) {
        await this.close(manager, cause, gap, reason, SYSTEM);
        result.closed += 1;
      }
    }
    for (const plan of planned.values()) {
      const explanation: CareGapExplanation = {
        ruleId: plan.rule.id,
        ruleVersion: plan.rule.version,
        matchedCodes: plan.matchedCodes,
        evidence: plan.evidence,
        trigger: plan.trigger,
      };
      result.opened += (await this.open(manager, cause, subject, plan.rule, explanation, patient.planId, null, null)) ? 1 : 0;
    }
    if (result.opened + result.updated + result.closed > 0) {
      this.logger.debug({ ...result }, 'care gaps evaluated');
    }
    return result;
  }

  /** The pharmacy missed the reconciliation deadline: a gap for the team that owns the task. */
  async openTaskGap(manager: EntityManager, subject: string, taskId: string, cause: EventCause): Promise<boolean> {
    const patient = await this.context.loadContext(manager, subject);
    if (patient.deceased) {
      return false;
    }
    const rules = (await this.rules.current(manager)).filter((rule) => rule.enabled && rule.trigger === 'medication-reconciliation-breach');
    const teamId = await this.context.teamOfTask(manager, taskId);
    let opened = false;
    for (const rule of rules) {
      const explanation: CareGapExplanation = { ruleId: rule.id, ruleVersion: rule.version, matchedCodes: [], evidence: 'confirmed', trigger: rule.trigger };
      opened = (await this.open(manager, cause, subject, rule, explanation, patient.planId, taskId, teamId)) || opened;
    }
    return opened;
  }

  /** The pharmacy task behind a team gap was completed. */
  async closeTaskGaps(manager: EntityManager, subject: string, taskId: string, reason: string, cause: EventCause): Promise<number> {
    const open = (await this.gaps.openForSubject(manager, subject)).filter((gap) => gap.sourceTaskId === taskId);
    for (const gap of open) {
      await this.close(manager, cause, gap, reason, SYSTEM);
    }
    return open.length;
  }

  /** A plan's benefits changed: every open gap of its members gets its coverage decided again. */
  async refreshCoverage(manager: EntityManager, planId: string, cause: Omit<EventCause, 'subject'>): Promise<number> {
    let updated = 0;
    for (const gap of await this.gaps.openForPlan(manager, planId)) {
      const coverage = determineCoverage(planId, await this.context.benefitFor(manager, planId, gap.item));
      if (sameCoverage(coverage, gap.coverage)) {
        continue;
      }
      const changed = await this.gaps.updateAssessment(manager, gap.id, {
        severity: gap.severity,
        recommendedAction: gap.recommendedAction,
        notificationTitle: gap.notificationTitle,
        coverage,
        explanation: gap.explanation,
      });
      await this.events.emit(manager, { ...cause, subject: gap.subject }, 'care-gap.updated', gapData(changed, SYSTEM));
      updated += 1;
    }
    return updated;
  }

  async close(manager: EntityManager, cause: EventCause, gap: GapRecord, reason: string, actorId: string, status: 'closed' | 'dismissed' = 'closed'): Promise<GapRecord> {
    const closed = await this.gaps.changeStatus(manager, gap, status, actorId, reason);
    await this.events.emit(manager, cause, 'care-gap.closed', { gapId: gap.id, gapType: gap.gapType, status, reason, actorId });
    return closed;
  }

  private async open(
    manager: EntityManager,
    cause: EventCause,
    subject: string,
    rule: CareGapRule,
    explanation: CareGapExplanation,
    planId: string | null,
    sourceTaskId: string | null,
    taskTeamId: string | null,
  ): Promise<boolean> {
    const gap = await this.gaps.insertIfNoneOpen(manager, {
      id: randomUUID(),
      subject,
      gapType: rule.gapType,
      ruleTrigger: rule.trigger,
      severity: rule.severity,
      item: { system: rule.item.system, code: rule.item.code, display: rule.item.display },
      homeItem: rule.homeItem,
      recommendedAction: rule.recommendedAction,
      notificationTitle: rule.notificationTitle,
      coverage: determineCoverage(planId, await this.context.benefitFor(manager, planId, rule.item)),
      explanation,
      teamId: rule.teamId ?? taskTeamId ?? this.config.CARE_GAP_DEFAULT_TEAM_ID,
      sourceTaskId,
      correlationId: cause.correlationId,
    });
    if (!gap) {
      return false;
    }
    await this.events.emit(manager, cause, 'care-gap.opened', gapData(gap, SYSTEM));
    await this.events.notifyOpened(manager, cause, gap);
    return true;
  }

  /** Same gap, newer facts: the deciding rule, the matched codes, the evidence or the coverage changed. */
  private async reassess(manager: EntityManager, cause: EventCause, gap: GapRecord, plan: PlannedGap, planId: string | null): Promise<boolean> {
    const explanation: CareGapExplanation = {
      ruleId: plan.rule.id,
      ruleVersion: plan.rule.version,
      matchedCodes: plan.matchedCodes,
      evidence: gap.explanation.evidence === 'confirmed' ? 'confirmed' : plan.evidence,
      trigger: plan.trigger,
    };
    const coverage = determineCoverage(planId, await this.context.benefitFor(manager, planId, gap.item));
    if (sameExplanation(explanation, gap.explanation) && sameCoverage(coverage, gap.coverage) && plan.rule.severity === gap.severity) {
      return false;
    }
    const changed = await this.gaps.updateAssessment(manager, gap.id, {
      severity: plan.rule.severity,
      recommendedAction: plan.rule.recommendedAction,
      notificationTitle: plan.rule.notificationTitle,
      coverage,
      explanation,
    });
    await this.events.emit(manager, cause, 'care-gap.updated', gapData(changed, SYSTEM));
    return true;
  }
}
