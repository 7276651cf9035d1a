import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByTeam, type Principal } from '@sc/security';
import { QualityReportQueryDto, QualityReportView } from './quality-report.dto';
import { QualityReportService } from './quality-report.service';

const READERS = ['team-lead', 'supervisor'] as const;

@ApiTags('quality')
@Controller('v1/quality-report')
export class QualityReportController {
  constructor(private readonly quality: QualityReportService) {}

  @Get()
  @Roles(...READERS)
  @ScopeByTeam('teamId', 'query')
  @AuditPatient((_request, report) => (report as QualityReportView | undefined)?.misses.map((miss) => miss.patientId) ?? [])
  @ApiOkResponse({ type: QualityReportView })
  report(@Query() query: QualityReportQueryDto, @CurrentPrincipal() principal: Principal): Promise<QualityReportView> {
    return this.quality.report(query, principal);
  }

  @Get('discharges.csv')
  @Roles(...READERS)
  @ScopeByTeam('teamId', 'query')
  // Each row after the header begins with the patient id (qualityReportCsv).
  @AuditPatient((_request, csv) => (typeof csv === 'string' ? csv.split('\r\n').slice(1, -1).map((row) => row.split(',')[0]) : []))
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'One row per discharge received, with the facts each figure is computed from.' })
  csv(@Query() query: QualityReportQueryDto, @CurrentPrincipal() principal: Principal): Promise<string> {
    return this.quality.csv(query, principal);
  }
}
