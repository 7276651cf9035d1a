import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RosterUploadDto, RosterUploadResultDto } from './roster.dto';
import { RosterService } from './roster.service';

@ApiTags('roster')
@Controller('v1/roster')
export class RosterController {
  constructor(private readonly roster: RosterService) {}

  @Post('patients')
  @HttpCode(200)
  @ApiOkResponse({ type: RosterUploadResultDto, description: 'Per-row report; valid rows are stored even when others are rejected.' })
  upsertPatients(@Body() body: RosterUploadDto): Promise<RosterUploadResultDto> {
    return this.roster.upsertRows(body.patients);
  }
}
