import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByResource, ScopeFiltered, VisibleTeams, type Principal } from '@sc/security';
import { TaskOwners } from '../access/owners';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { CompleteTaskDto, ContactAttemptDto, MedicationReconciliationDto, NeedFlagCreatedDto, NeedFlagDto } from '../workflow/workflow.dto';
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

const WORKERS = ['pharmacist', 'team-lead'] as const;
const taskPatient = (_request: unknown, task: unknown): string[] => [(task as TaskView | undefined)?.patientId ?? ''];

@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly workflow: WorkflowService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Roles('pharmacist', 'team-lead', 'supervisor')
  @ScopeFiltered()
  @AuditPatient((_request, tasks) => (tasks as TaskView[] | undefined)?.map((task) => task.patientId) ?? [])
  @ApiOkResponse({ type: [TaskView], description: 'Worklist sorted by due time; only the caller’s teams unless a supervisor.' })
  list(@Query() query: TaskQueryDto, @VisibleTeams() teams: readonly string[] | undefined): Promise<TaskView[]> {
    return this.tasks.find({ ...query, teamIds: teams ? [...teams] : undefined });
  }

  @Get(':id')
  @Roles('pharmacist', 'team-lead', 'supervisor')
  @ScopeByResource(TaskOwners)
  @AuditPatient(taskPatient)
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
  @Roles(...WORKERS)
  @ScopeByResource(TaskOwners)
  @AuditPatient(taskPatient)
  @ApiOkResponse({ type: TaskView })
  acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal): Promise<TaskView> {
    return this.workflow.acknowledge(id, principal);
  }

  @Post(':id/contact-attempts')
  @HttpCode(200)
  @Roles(...WORKERS)
  @ScopeByResource(TaskOwners)
  @AuditPatient(taskPatient)
  @ApiOkResponse({ type: TaskView })
  recordContact(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ContactAttemptDto, @CurrentPrincipal() principal: Principal): Promise<TaskView> {
    return this.workflow.recordContact(id, principal, body);
  }

  @Put(':id/medication-reconciliation')
  @Roles(...WORKERS)
  @ScopeByResource(TaskOwners)
  @AuditPatient(taskPatient)
  @ApiOkResponse({ type: TaskView })
  reconcile(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: MedicationReconciliationDto, @CurrentPrincipal() principal: Principal): Promise<TaskView> {
    return this.workflow.reconcile(id, principal, body);
  }

  @Post(':id/needs')
  @Roles(...WORKERS)
  @ScopeByResource(TaskOwners)
  @AuditPatient((_request, created) => [(created as NeedFlagCreatedDto | undefined)?.patientId])
  @ApiCreatedResponse({ type: NeedFlagCreatedDto })
  flagNeed(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: NeedFlagDto, @CurrentPrincipal() principal: Principal): Promise<NeedFlagCreatedDto> {
    return this.workflow.flagNeed(id, principal, body);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Roles(...WORKERS)
  @ScopeByResource(TaskOwners)
  @AuditPatient(taskPatient)
  @ApiOkResponse({ type: TaskView })
  complete(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CompleteTaskDto, @CurrentPrincipal() principal: Principal): Promise<TaskView> {
    return this.workflow.complete(id, principal, body);
  }
}
