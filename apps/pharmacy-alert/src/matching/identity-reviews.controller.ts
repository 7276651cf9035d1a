import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ActorDto } from '../workflow/workflow.dto';
import { IdentityReviewRepository, IdentityReviewView } from './identity-review.repository';
import { IdentityReviewService } from './identity-review.service';

export class ResolveReviewDto extends ActorDto {
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
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'resolved', 'dismissed'] })
  @ApiOkResponse({ type: [IdentityReviewView] })
  list(@Query('status') status = 'open'): Promise<IdentityReviewView[]> {
    return this.reviews.list(status);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: ReviewResolutionView })
  async resolve(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ResolveReviewDto): Promise<ReviewResolutionView> {
    return { result: await this.service.resolve(id, body.patientId, body.actorId) };
  }

  @Post(':id/dismiss')
  @HttpCode(204)
  @ApiNoContentResponse()
  async dismiss(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ActorDto): Promise<void> {
    await this.service.dismiss(id, body.actorId);
  }
}
