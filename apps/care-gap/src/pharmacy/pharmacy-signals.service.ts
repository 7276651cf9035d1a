import { Injectable } from '@nestjs/common';
import type { EnvelopeOf } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { ContextRepository } from '../context/context.repository';
import { GapDetector } from '../gaps/gap-detector.service';

export type PharmacyEvent = EnvelopeOf<
  'pharmacy.task-created' | 'pharmacy.need-flagged' | 'pharmacy.task-escalated' | 'pharmacy.task-completed' | 'pharmacy.task-cancelled' | 'pharmacy.patient-expired'
>;

/**
 * What the pharmacist's work tells this service: a missing home device confirms a gap, a breached
 * reconciliation deadline is a gap for the team (closed when the task is done), a death ends outreach.
 */
@Injectable()
export class PharmacySignalsService {
  private readonly logger = createLogger(PharmacySignalsService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly context: ContextRepository,
    private readonly detector: GapDetector,
  ) {}

  async handle(event: PharmacyEvent): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const cause = { subject: event.subject, correlationId: event.correlationId, causationId: event.id };
      switch (event.type) {
        case 'pharmacy.task-created':
          await this.context.recordPharmacyTask(manager, event.data.taskId, event.subject, event.data.teamId);
          return;
        case 'pharmacy.need-flagged': {
          const { need, code, codeSystem } = event.data;
          if (need !== 'missing-home-device' || codeSystem !== 'HCPCS' || !code) {
            return;
          }
          await this.context.lockPatient(manager, event.subject);
          await this.context.upsertDevices(manager, event.subject, [
            { system: 'HCPCS', code: code.trim().toUpperCase(), present: false, flaggedByPharmacist: true, source: 'pharmacist-flag' },
          ]);
          const result = await this.detector.evaluate(manager, event.subject, cause);
          this.logger.debug({ flagId: event.data.flagId, ...result }, 'missing home device flagged');
          return;
        }
        case 'pharmacy.task-escalated':
          if (event.data.step !== 'breach') {
            return;
          }
          await this.context.lockPatient(manager, event.subject);
          await this.detector.openTaskGap(manager, event.subject, event.data.taskId, cause);
          return;
        case 'pharmacy.task-completed':
          await this.context.lockPatient(manager, event.subject);
          await this.detector.closeTaskGaps(manager, event.subject, event.data.taskId, `pharmacy task completed: ${event.data.outcome}`, cause);
          return;
        case 'pharmacy.task-cancelled':
          await this.context.lockPatient(manager, event.subject);
          await this.detector.closeTaskGaps(manager, event.subject, event.data.taskId, 'pharmacy task cancelled', cause);
          return;
        case 'pharmacy.patient-expired':
          await this.context.lockPatient(manager, event.subject);
          await this.context.markDeceased(manager, event.subject);
          await this.detector.evaluate(manager, event.subject, cause);
          return;
      }
    });
  }
}
