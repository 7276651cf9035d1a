import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import { PharmacyAlertConfig } from './config';
import { MIGRATIONS } from './migrations';
import { RosterController } from './roster/roster.controller';
import { RosterRepository } from './roster/roster.repository';
import { RosterService } from './roster/roster.service';
import { DischargeTaskService } from './tasks/discharge-task.service';
import { EncounterEventsHandler } from './tasks/encounter-events.handler';
import { TaskRepository } from './tasks/task.repository';
import { TasksController } from './tasks/tasks.controller';

export const SERVICE_NAME = 'pharmacy-alert';

export function pharmacyAlertModule(config: PharmacyAlertConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS })],
    controllers: [RosterController, TasksController, EncounterEventsHandler],
    providers: [RosterRepository, RosterService, TaskRepository, DischargeTaskService],
  })
  class PharmacyAlertModule {}
  return PharmacyAlertModule;
}

