import { GapOwners, SubjectOwners } from './access/owners';
import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import { AttributionIndex } from './attribution/attribution-index';
import { SecurityModule } from '@sc/security';
import type { CareGapConfig } from './config';
import { ContextController } from './context/context.controller';
import { ContextEventsHandler } from './context/context-events.handler';
import { ContextRepository } from './context/context.repository';
import { ContextService } from './context/context.service';
import { EncounterContextService } from './encounters/encounter-context.service';
import { EncounterEventsHandler } from './encounters/encounter-events.handler';
import { CareGapEvents } from './gaps/care-gap-events';
import { GapDetector } from './gaps/gap-detector.service';
import { GapRepository } from './gaps/gap.repository';
import { GapService } from './gaps/gap.service';
import { GapsController } from './gaps/gaps.controller';
import { MIGRATIONS } from './migrations';
import { PharmacyEventsHandler } from './pharmacy/pharmacy-events.handler';
import { PharmacySignalsService } from './pharmacy/pharmacy-signals.service';
import { RULE_FILE, loadRuleFile } from './rules/rule-file';
import { RuleRepository } from './rules/rule.repository';
import { RuleService } from './rules/rule.service';
import { RulesController } from './rules/rules.controller';

export const SERVICE_NAME = 'care-gap';

/** Reads the rule file first: an invalid rule stops the service before it touches the database or Kafka. */
export function careGapModule(config: CareGapConfig) {
  const ruleFile = loadRuleFile(config.CARE_GAP_RULES_FILE);

  @Module({
    imports: [
      PlatformModule.forRoot({
        serviceName: SERVICE_NAME,
        config,
        migrations: MIGRATIONS,
        relevance: (database, metrics) => AttributionIndex.start({ ...database, plans: config.PARTICIPATING_PLANS, metrics }),
      }),
      SecurityModule.forRoot(config),
    ],
    controllers: [GapsController, ContextController, RulesController, EncounterEventsHandler, PharmacyEventsHandler, ContextEventsHandler],
    providers: [
      { provide: RULE_FILE, useValue: ruleFile },
      SubjectOwners,
      GapOwners,
      ContextRepository,
      GapRepository,
      RuleRepository,
      CareGapEvents,
      GapDetector,
      GapService,
      ContextService,
      RuleService,
      EncounterContextService,
      PharmacySignalsService,
    ],
  })
  class CareGapModule {}
  return CareGapModule;
}
