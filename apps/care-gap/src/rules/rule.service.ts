import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ContextRepository } from '../context/context.repository';
import { CareGapError, CareGapErrorCode } from '../errors/care-gap-error';
import { determineCoverage } from '../gaps/coverage';
import { evaluateRule, type RuleOutcome } from '../gaps/gap-plan';
import { GapRepository } from '../gaps/gap.repository';
import { RULE_FILE, type RuleFile } from './rule-file';
import type { DryRunDto, DryRunPatientView, DryRunResultView, RuleChangeDto, RuleVersionView } from './rule.dto';
import { RuleRepository } from './rule.repository';
import { validateRule, type CareGapRule } from './rule-validation';

const FILE_ACTOR = 'rules-file';

const DRY_RUN_OUTCOME: Record<Exclude<RuleOutcome['kind'], 'not-indicated' | 'indicated'>, DryRunPatientView['outcome']> = {
  'sensitive-without-consent': 'sensitive-without-consent',
  'patient-expired': 'patient-expired',
  'at-facility': 'at-facility',
  'item-present': 'item-present',
};

/** Rules as versioned data: seeded from the repository's file, changed through an audited API, tried with dry runs. */
@Injectable()
export class RuleService implements OnModuleInit {
  private readonly logger = createLogger(RuleService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly rules: RuleRepository,
    private readonly context: ContextRepository,
    private readonly gaps: GapRepository,
    @Inject(RULE_FILE) private readonly file: RuleFile,
  ) {}

  /** Before events are consumed: a file rule newer than the stored one becomes the current version; a stored newer one (an API change) stays. */
  async onModuleInit(): Promise<void> {
    const source = path.basename(this.file.source);
    const outcome = await this.unitOfWork.run(async (manager) => {
      await manager.query("SELECT pg_advisory_xact_lock(hashtext('care-gap-rules-seed'))");
      let stored = 0;
      let kept = 0;
      for (const rule of this.file.rules) {
        const latest = await this.rules.latestVersion(manager, rule.id);
        if (latest !== null && latest >= rule.version) {
          kept += latest > rule.version ? 1 : 0;
          continue;
        }
        await this.rules.insertVersion(manager, rule, FILE_ACTOR, latest === null ? `loaded from ${source}` : `updated in ${source}`);
        stored += 1;
      }
      return { stored, kept };
    });
    this.logger.info({ rules: this.file.rules.length, newVersions: outcome.stored, newerInDatabase: outcome.kept }, 'care-gap rules loaded');
  }

  list(): Promise<RuleVersionView[]> {
    return this.rules.currentVersions();
  }

  async versions(ruleId: string): Promise<RuleVersionView[]> {
    const versions = await this.rules.versionsOf(ruleId);
    if (versions.length === 0) {
      throw new CareGapError(CareGapErrorCode.RuleNotFound, `rule ${ruleId} not found`);
    }
    return versions;
  }

  /** A new version; the body's version must be the stored one plus one (1 for a new rule), so no change is lost to a concurrent one. */
  async change(ruleId: string, change: RuleChangeDto, actorId: string): Promise<RuleVersionView> {
    const rule = this.validated(change.rule);
    if (rule.id !== ruleId) {
      throw new CareGapError(CareGapErrorCode.InvalidRule, `rule id ${rule.id} does not match the path (${ruleId})`);
    }
    await this.unitOfWork.run(async (manager) => {
      const latest = (await this.rules.latestVersion(manager, ruleId)) ?? 0;
      if (rule.version !== latest + 1 || !(await this.rules.insertVersion(manager, rule, actorId, change.reason))) {
        throw new CareGapError(CareGapErrorCode.RuleVersionConflict, `rule ${ruleId} is at version ${latest}; a change must be version ${latest + 1}`);
      }
    });
    this.logger.info({ ruleId, version: rule.version, actorId: actorId }, 'care-gap rule changed');
    return (await this.rules.versionsOf(ruleId))[0];
  }

  /** Which stored patients a rule (stored or proposed) would flag now; changes nothing. */
  async dryRun(request: DryRunDto): Promise<DryRunResultView> {
    if ((request.rule === undefined) === (request.ruleId === undefined)) {
      throw new CareGapError(CareGapErrorCode.InvalidRule, 'send either ruleId or rule');
    }
    const rule = request.rule ? this.validated(request.rule) : await this.stored(request.ruleId as string);
    const result: DryRunResultView = { ruleId: rule.id, version: rule.version, patientsConsidered: 0, flagged: 0, outcomes: {}, patients: [], truncated: false, note: null };
    if (rule.trigger !== 'conditions' || !rule.conditions) {
      return { ...result, note: `a ${rule.trigger} rule is triggered by pharmacy events, not by stored context` };
    }
    const limit = request.limit ?? 1000;
    const manager = this.dataSource.manager;
    const candidates = await this.context.candidateSubjects(manager, rule.conditions, rule.item, limit);
    const subjects = candidates.slice(0, limit);
    const contexts = await this.context.loadContexts(manager, subjects);
    const open = await this.gaps.openTypes(manager, subjects);
    const benefits = await this.context.benefitsForItem(manager, rule.item);
    const asEnabled = { ...rule, enabled: true };
    for (const subject of subjects) {
      const patient = contexts.get(subject);
      if (!patient) {
        continue;
      }
      const outcome = evaluateRule(asEnabled, patient);
      if (outcome.kind === 'not-indicated') {
        continue;
      }
      const view: DryRunPatientView = {
        subject,
        outcome: outcome.kind === 'indicated' ? (open.has(`${subject}|${rule.gapType}`) ? 'already-open' : 'would-open') : DRY_RUN_OUTCOME[outcome.kind],
        matchedCodes: outcome.kind === 'sensitive-without-consent' ? [] : outcome.matchedCodes,
        coverage: determineCoverage(patient.planId, patient.planId ? (benefits.get(patient.planId) ?? null) : null).determination,
      };
      result.patients.push(view);
      result.outcomes[view.outcome] = (result.outcomes[view.outcome] ?? 0) + 1;
    }
    result.patientsConsidered = subjects.length;
    result.flagged = (result.outcomes['would-open'] ?? 0) + (result.outcomes['already-open'] ?? 0);
    result.truncated = candidates.length > limit;
    if (!rule.enabled) {
      result.note = 'the rule is disabled; shown as if it were enabled';
    }
    return result;
  }

  private async stored(ruleId: string): Promise<CareGapRule> {
    const rule = (await this.rules.current()).find((candidate) => candidate.id === ruleId);
    if (!rule) {
      throw new CareGapError(CareGapErrorCode.RuleNotFound, `rule ${ruleId} not found`);
    }
    return rule;
  }

  private validated(raw: unknown): CareGapRule {
    const { rule, problems } = validateRule(JSON.parse(JSON.stringify(raw)) as unknown);
    if (!rule) {
      throw new CareGapError(CareGapErrorCode.InvalidRule, problems.join('; '));
    }
    return rule;
  }
}
