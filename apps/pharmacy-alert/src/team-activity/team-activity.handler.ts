import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent } from '@sc/messaging';
import { TeamActivityService, type TeamActivityEvent } from './team-activity.service';

@Controller()
export class TeamActivityHandler {
  constructor(private readonly activity: TeamActivityService) {}

  @HandlesEvent('care-gap.opened', 'care-gap.updated', 'care-gap.closed', 'referral.created', 'referral.status-changed')
  async onTeamActivity(@Payload() event: TeamActivityEvent): Promise<void> {
    await this.activity.record(event);
  }
}
