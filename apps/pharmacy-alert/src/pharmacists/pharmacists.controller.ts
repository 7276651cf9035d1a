import { Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NoTeamScope, Roles } from '@sc/security';
import { PharmacistDto, PharmacistView } from './pharmacist.dto';
import { PharmacistService } from './pharmacist.service';

@ApiTags('pharmacists')
@Controller('v1/pharmacists')
export class PharmacistsController {
  constructor(private readonly pharmacists: PharmacistService) {}

  @Put(':id')
  @HttpCode(204)
  @Roles('admin', 'supervisor')
  @ApiNoContentResponse({ description: 'Stored (idempotent).' })
  async upsert(@Param('id') id: string, @Body() body: PharmacistDto): Promise<void> {
    await this.pharmacists.register(id, body);
  }

  @Get()
  @Roles('pharmacist', 'team-lead', 'supervisor', 'admin')
  @NoTeamScope('the pharmacist directory (names, teams, languages); no patient or work item')
  @ApiQuery({ name: 'teamId', required: false })
  @ApiOkResponse({ type: [PharmacistView] })
  list(@Query('teamId') teamId?: string): Promise<PharmacistView[]> {
    return this.pharmacists.list(teamId);
  }
}
