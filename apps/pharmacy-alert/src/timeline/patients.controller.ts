import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { RefillHoldRepository } from '../tasks/refill-hold.repository';
import { TimelineEntryView, TimelineRepository } from './timeline.repository';

export class RefillHoldView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['held', 'released'] }) status!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() episodeKey!: string;
}

export class RosterStatsView {
  @ApiProperty({ description: 'Encounter events for patients not on the roster (counted, not worked).' }) unrosteredEncounters!: number;
  @ApiProperty() openIdentityReviews!: number;
}

@ApiTags('patients')
@Controller('v1')
export class PatientsController {
  constructor(
    private readonly timeline: TimelineRepository,
    private readonly holds: RefillHoldRepository,
    private readonly dataSource: DataSource,
  ) {}

  /** The shared timeline: what hospital, pharmacy and nursing did for the patient, in order. */
  @Get('patients/:id/timeline')
  @ApiOkResponse({ type: [TimelineEntryView] })
  patientTimeline(@Param('id', new ParseUUIDPipe()) id: string): Promise<TimelineEntryView[]> {
    return this.timeline.forPatient(id);
  }

  @Get('patients/:id/refill-holds')
  @ApiOkResponse({ type: [RefillHoldView] })
  refillHolds(@Param('id', new ParseUUIDPipe()) id: string): Promise<RefillHoldView[]> {
    return this.holds.forPatient(this.dataSource.manager, id);
  }

  @Get('roster/stats')
  @ApiOkResponse({ type: RosterStatsView })
  async stats(): Promise<RosterStatsView> {
    const [row]: Array<{ unrostered: string; reviews: string }> = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM unmatched_encounters) AS unrostered, (SELECT count(*) FROM identity_reviews WHERE status = 'open') AS reviews`,
    );
    return { unrosteredEncounters: Number(row.unrostered), openIdentityReviews: Number(row.reviews) };
  }
}
