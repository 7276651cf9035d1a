import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { ActorDto, CompleteTaskDto, ContactAttemptDto, MedicationReconciliationDto, NeedFlagCreatedDto, NeedFlagDto } from '../workflow/workflow.dto';
import { WorkflowService } from '../workflow/workflow.service';
import { TaskRepository } from './task.repository';
import { TaskView } from './task.views';

export class TaskQueryDto {
  @ApiPropertyOptional({ description: 'My worklist: tasks assigned to this pharmacist.' }) @IsOptional() @IsString() @Length(1, 64) assigneeId?: string;
  @ApiPropertyOptional({ description: 'A team’s worklist, including its pool.' }) @IsOptional() @IsString() @Length(1, 64) teamId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() patientId?: string;
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'completed', 'cancelled'] })
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'completed', 'cancelled'])
  status?: string;
}

@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly workflow: WorkflowService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @ApiOkResponse({ type: [TaskView], description: 'Worklist sorted by due time.' })
  list(@Query() query: TaskQueryDto): Promise<TaskView[]> {
    return this.tasks.find(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskView })
  @ApiNotFoundResponse()
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<TaskView> {
    const task = await this.tasks.findById(this.dataSource.manager, id);
    if (!task) {
      throw new PharmacyError(PharmacyErrorCode.TaskNotFound, `task ${id} not found`);
    }
    return task;
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskView })
  acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ActorDto): Promise<TaskView> {
    return this.workflow.acknowledge(id, body.actorId);
  }

  @Post(':id/contact-attempts')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskView })
  recordContact(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ContactAttemptDto): Promise<TaskView> {
    return this.workflow.recordContact(id, body);
  }

  @Put(':id/medication-reconciliation')
  @ApiOkResponse({ type: TaskView })
  reconcile(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: MedicationReconciliationDto): Promise<TaskView> {
    return this.workflow.reconcile(id, body);
  }

  @Post(':id/needs')
  @ApiCreatedResponse({ type: NeedFlagCreatedDto })
  async flagNeed(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: NeedFlagDto): Promise<NeedFlagCreatedDto> {
    return { flagId: await this.workflow.flagNeed(id, body) };
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskView })
  complete(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CompleteTaskDto): Promise<TaskView> {
    return this.workflow.complete(id, body);
  }
}
