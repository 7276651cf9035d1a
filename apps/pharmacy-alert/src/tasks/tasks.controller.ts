import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { TaskRepository } from './task.repository';
import { TaskView } from './task.views';

export class TaskQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) assigneeId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) teamId?: string;
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'completed', 'cancelled'] })
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'completed', 'cancelled'])
  status?: string;
}

@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(private readonly tasks: TaskRepository) {}

  @Get()
  @ApiOkResponse({ type: [TaskView], description: 'Worklist sorted by due time.' })
  list(@Query() query: TaskQueryDto): Promise<TaskView[]> {
    return this.tasks.find(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskView })
  @ApiNotFoundResponse()
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<TaskView> {
    const task = await this.tasks.findById(id);
    if (!task) {
      throw new NotFoundException(`task ${id} not found`);
    }
    return task;
  }
}
