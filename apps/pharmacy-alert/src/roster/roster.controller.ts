import { BadRequestException, Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Roles } from '@sc/security';
import { RosterUploadDto, RosterUploadResultDto } from './roster.dto';
import { RosterService } from './roster.service';

@ApiTags('roster')
@Controller('v1/roster')
export class RosterController {
  constructor(private readonly roster: RosterService) {}

  @Post('patients')
  @HttpCode(200)
  @Roles('integration', 'admin', 'supervisor')
  @ApiOkResponse({ type: RosterUploadResultDto, description: 'Per-row report; valid rows are stored even when others are rejected.' })
  upsertPatients(@Body() body: RosterUploadDto): Promise<RosterUploadResultDto> {
    return this.roster.upsertRows(body.patients);
  }

  @Post('patients.csv')
  @HttpCode(200)
  @Roles('integration', 'admin', 'supervisor')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string' }, description: 'Header row, then one patient per row; see roster-csv.ts for the columns.' })
  @ApiOkResponse({ type: RosterUploadResultDto })
  upsertPatientsCsv(@Req() request: Request): Promise<RosterUploadResultDto> {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
      throw new BadRequestException('body must be a CSV file sent as text/csv');
    }
    return this.roster.upsertCsv(request.body.toString('utf8'));
  }
}
