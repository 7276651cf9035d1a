import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { TEAM_ACTIVITY_TYPES, TeamActivityService, type TeamActivityEvent } from './team-activity.service';

@Controller()
export class TeamActivityHandler {
  constructor(private readonly activity: TeamActivityService) {}

  @HandlesEvent(...TEAM_ACTIVITY_TYPES)
  async onTeamActivity(@Payload() run: EventRun<TeamActivityEvent>): Promise<void> {
    await run.each((event) => this.activity.record(event));
  }
}
