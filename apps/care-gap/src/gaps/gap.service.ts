import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@sc/persistence';
import { ContextRepository } from '../context/context.repository';
import { CareGapError, CareGapErrorCode } from '../errors/care-gap-error';
import { CareGapEvents, gapData } from './care-gap-events';
import { GapDetector } from './gap-detector.service';
import { transitionProblem } from './gap-lifecycle';
import type { GapTransitionDto } from './gap.dto';
import { GapRepository, toView, type GapQuery } from './gap.repository';
import type { GapView } from './gap.views';

/** The nurses' side of a gap: reading it and moving it through its lifecycle, each step with actor and reason. */
@Injectable()
export class GapService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly gaps: GapRepository,
    private readonly context: ContextRepository,
    private readonly detector: GapDetector,
    private readonly events: CareGapEvents,
  ) {}

  async find(query: GapQuery): Promise<GapView[]> {
    return (await this.gaps.find(query)).map(toView);
  }

  async get(id: string): Promise<GapView> {
    const gap = await this.gaps.findById(this.dataSource.manager, id);
    if (!gap) {
      throw new CareGapError(CareGapErrorCode.GapNotFound, `gap ${id} not found`);
    }
    return toView({ ...gap, history: await this.gaps.history(this.dataSource.manager, id) });
  }

  async transition(id: string, change: GapTransitionDto, actorId: string): Promise<GapView> {
    await this.unitOfWork.run(async (manager) => {
      const gap = await this.gaps.findById(manager, id, { lock: true });
      if (!gap) {
        throw new CareGapError(CareGapErrorCode.GapNotFound, `gap ${id} not found`);
      }
      const problem = transitionProblem(gap.status, change.to);
      if (problem) {
        throw new CareGapError(CareGapErrorCode.InvalidTransition, problem);
      }
      const cause = { subject: gap.subject, correlationId: gap.correlationId, causationId: null };
      if (change.to === 'closed' || change.to === 'dismissed') {
        await this.detector.close(manager, cause, gap, change.reason, actorId, change.to);
        return;
      }
      if (change.to === 'delivered' && gap.homeItem) {
        // The item is now at home: the next discharge must not ask for it again.
        await this.context.upsertDevices(manager, gap.subject, [
          { system: gap.item.system, code: gap.item.code, present: true, flaggedByPharmacist: false, source: 'gap-delivered' },
        ]);
      }
      const changed = await this.gaps.changeStatus(manager, gap, change.to, actorId, change.reason);
      await this.events.emit(manager, cause, 'care-gap.updated', gapData(changed, actorId));
    });
    return this.get(id);
  }
}
