import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { EVENT_RELEVANCE } from '@sc/messaging';
import { AuditPatient, NoTeamScope, Roles, ScopeByResource } from '@sc/security';
import { PatientOwners } from '../access/owners';
import type { AttributionIndex } from '../attribution/attribution-index';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { RosterRepository } from '../roster/roster.repository';
import { RefillHoldRepository } from '../tasks/refill-hold.repository';
import { TimelineEntryView, TimelineRepository } from './timeline.repository';

export class RefillHoldView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['held', 'released'] }) status!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() episodeKey!: string;
}

export class RosterStatsView {
  @ApiProperty({
    description: 'Encounter events about no rostered patient that this instance counted since it started (not worked); the fleet total is the sum of sc_pharmacy_unattributed_events_total.',
  })
  unrosteredEncounters!: number;
  @ApiProperty() openIdentityReviews!: number;
}

const patientParam = (request: { params: unknown }): string[] => [(request.params as { id?: string }).id ?? ''];

@ApiTags('patients')
@Controller('v1')
export class PatientsController {
  constructor(
    private readonly timeline: TimelineRepository,
    private readonly holds: RefillHoldRepository,
    private readonly dataSource: DataSource,
    private readonly roster: RosterRepository,
    @Inject(EVENT_RELEVANCE) private readonly attribution: AttributionIndex,
  ) {}

  /** Team scope is the guard's (PatientOwners); this answers an unknown patient for every role. */
  private async assertKnown(patientId: string): Promise<void> {
    const patient = await this.roster.findById(this.dataSource.manager, patientId);
    if (!patient) {
      throw new PharmacyError(PharmacyErrorCode.PatientNotFound, `patient ${patientId} not found`);
    }
  }

  /** The shared timeline: what hospital, pharmacy and nursing did for the patient, in order. */
  @Get('patients/:id/timeline')
  @Roles('pharmacist', 'nurse', 'team-lead', 'supervisor')
  @ScopeByResource(PatientOwners)
  @AuditPatient(patientParam)
  @ApiOkResponse({ type: [TimelineEntryView] })
  async patientTimeline(@Param('id', new ParseUUIDPipe()) id: string): Promise<TimelineEntryView[]> {
    await this.assertKnown(id);
    return this.timeline.forPatient(id);
  }

  @Get('patients/:id/refill-holds')
  @Roles('pharmacist', 'team-lead', 'supervisor', 'integration')
  @ScopeByResource(PatientOwners)
  @AuditPatient(patientParam)
  @ApiOkResponse({ type: [RefillHoldView] })
  async refillHolds(@Param('id', new ParseUUIDPipe()) id: string): Promise<RefillHoldView[]> {
    await this.assertKnown(id);
    return this.holds.forPatient(this.dataSource.manager, id);
  }

  @Get('roster/stats')
  @Roles('team-lead', 'supervisor', 'admin')
  @NoTeamScope('fleet-wide counts; names no patient or work item')
  @ApiOkResponse({ type: RosterStatsView })
  async stats(): Promise<RosterStatsView> {
    const [row]: Array<{ reviews: string }> = await this.dataSource.query(`SELECT count(*) AS reviews FROM identity_reviews WHERE status = 'open'`);
    return { unrosteredEncounters: this.attribution.unattributedEncounters, openIdentityReviews: Number(row.reviews) };
  }
}
