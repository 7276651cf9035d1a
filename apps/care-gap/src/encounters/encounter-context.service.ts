import { Injectable } from '@nestjs/common';
import type { EnvelopeOf } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ContextRepository } from '../context/context.repository';
import { GapDetector } from '../gaps/gap-detector.service';
import { dischargeDestination, dischargeRecordOf } from './discharge-destination';

export type EncounterEvent = EnvelopeOf<'encounter.discharged' | 'encounter.updated' | 'encounter.transferred'>;

/**
 * Hospital encounters as clinical context: a discharge brings its diagnoses, the plan and where the
 * patient went, and is a trigger to evaluate; an update or transfer matters only when it reports
 * a death.
 */
@Injectable()
export class EncounterContextService {
  private readonly logger = createLogger(EncounterContextService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly context: ContextRepository,
    private readonly detector: GapDetector,
  ) {}

  async handle(event: EncounterEvent): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const cause = { subject: event.subject, correlationId: event.correlationId, causationId: event.id };
      const destination = dischargeDestination(event.data);
      if (event.type !== 'encounter.discharged') {
        if (!destination.deceased) {
          return;
        }
        await this.context.lockPatient(manager, event.subject);
        await this.context.markDeceased(manager, event.subject);
        await this.detector.evaluate(manager, event.subject, cause);
        return;
      }
      await this.context.recordDischarge(manager, dischargeRecordOf(event));
      const result = await this.detector.evaluate(manager, event.subject, cause);
      this.logger.debug({ diagnoses: event.data.diagnoses.length, ...destination, ...result }, 'discharge evaluated');
    });
  }
}
