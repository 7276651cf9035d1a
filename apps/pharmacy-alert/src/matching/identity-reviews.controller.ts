import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByResource, ScopeFiltered, VisibleTeams, type Principal } from '@sc/security';
import { IdentityReviewOwners } from '../access/owners';
import { IdentityReviewRepository, IdentityReviewView } from './identity-review.repository';
import { IdentityReviewService } from './identity-review.service';

export class ResolveReviewDto {
  @ApiProperty({ description: 'The roster patient the encounter belongs to.' })
  @IsUUID()
  patientId!: string;
}

export class ReviewResolutionView {
  @ApiProperty({ description: 'What applying the held event did, e.g. task-created.' }) result!: string;
}

@ApiTags('identity-reviews')
@Controller('v1/identity-reviews')
export class IdentityReviewsController {
  constructor(
    private readonly reviews: IdentityReviewRepository,
    private readonly service: IdentityReviewService,
  ) {}

  @Get()
  @Roles('pharmacist', 'team-lead', 'supervisor')
  @ScopeFiltered()
  @AuditPatient((_request, reviews) => (reviews as IdentityReviewView[] | undefined)?.flatMap((review) => review.candidates.map((candidate) => candidate.patientId)) ?? [])
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'resolved', 'dismissed'] })
  @ApiOkResponse({ type: [IdentityReviewView] })
  list(@VisibleTeams() teams: readonly string[] | undefined, @Query('status') status = 'open'): Promise<IdentityReviewView[]> {
    return this.reviews.list(status, teams);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('pharmacist', 'team-lead', 'supervisor')
  @ScopeByResource(IdentityReviewOwners)
  @AuditPatient((request) => [(request.body as { patientId?: string }).patientId])
  @ApiOkResponse({ type: ReviewResolutionView })
  async resolve(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ResolveReviewDto, @CurrentPrincipal() principal: Principal): Promise<ReviewResolutionView> {
    return { result: await this.service.resolve(id, body.patientId, principal.id) };
  }

  @Post(':id/dismiss')
  @HttpCode(204)
  @Roles('team-lead', 'supervisor')
  @ScopeByResource(IdentityReviewOwners)
  @ApiNoContentResponse()
  async dismiss(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.service.dismiss(id, principal.id);
  }
}
