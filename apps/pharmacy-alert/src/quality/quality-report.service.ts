import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@sc/platform';
import { canSeeTeam, type Principal } from '@sc/security';
import type { PharmacyAlertConfig } from '../config';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { addDays, calendarFor, startOfDay } from '../tasks/regulatory-clocks';
import { qualityReport, qualityReportCsv, type DischargeFacts } from './quality-report';
import type { QualityReportQueryDto, QualityReportView } from './quality-report.dto';
import { QualityReportRepository } from './quality-report.repository';

const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

/** The discharge follow-up quality report for a period, facility and team, as JSON or CSV. */
@Injectable()
export class QualityReportService {
  constructor(
    private readonly repository: QualityReportRepository,
    @Inject(SERVICE_CONFIG) private readonly config: PharmacyAlertConfig,
  ) {}

  async report(query: QualityReportQueryDto, principal: Principal, now = new Date()): Promise<QualityReportView> {
    const { timeZone, facts } = await this.factsFor(query, principal);
    return { facility: query.facility, teamId: query.teamId, from: query.from, to: query.to, timeZone, ...qualityReport(facts, now) };
  }

  async csv(query: QualityReportQueryDto, principal: Principal, now = new Date()): Promise<string> {
    return qualityReportCsv((await this.factsFor(query, principal)).facts, now);
  }

  private async factsFor(query: QualityReportQueryDto, principal: Principal): Promise<{ timeZone: string; facts: DischargeFacts[] }> {
    if (!canSeeTeam(principal, query.teamId)) {
      throw new PharmacyError(PharmacyErrorCode.TeamNotVisible, `team ${query.teamId} is not one of the caller's teams`);
    }
    const { timeZone } = calendarFor(query.facility, this.config);
    const from = startOfDay(query.from, timeZone);
    const to = startOfDay(addDays(query.to, 1), timeZone);
    const days = (to.getTime() - from.getTime()) / DAY_MS;
    if (!(days >= 1 && days <= MAX_PERIOD_DAYS + 1)) {
      throw new PharmacyError(PharmacyErrorCode.InvalidPeriod, `the period must run forward from "from" to "to", at most ${MAX_PERIOD_DAYS} days`);
    }
    return { timeZone, facts: await this.repository.dischargeFacts(query.facility, query.teamId, from, to) };
  }
}
