import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@sc/persistence';
import { EncounterWorkService, type EncounterEvent, type EncounterResult } from '../encounters/encounter-work.service';
import { PharmacyError, PharmacyErrorCode } from '../errors/pharmacy-error';
import { IdentityReviewRepository } from './identity-review.repository';
import { RosterRepository } from '../roster/roster.repository';

/** A person decides which roster patient an ambiguous encounter belongs to; the held event is then applied. */
@Injectable()
export class IdentityReviewService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly reviews: IdentityReviewRepository,
    private readonly roster: RosterRepository,
    private readonly work: EncounterWorkService,
  ) {}

  async resolve(reviewId: string, patientId: string, actorId: string): Promise<EncounterResult> {
    return this.unitOfWork.run(async (manager) => {
      const review = await this.reviews.lock(manager, reviewId);
      if (!review) {
        throw new PharmacyError(PharmacyErrorCode.ReviewNotFound, `identity review ${reviewId} not found`);
      }
      if (review.status !== 'open') {
        throw new PharmacyError(PharmacyErrorCode.ReviewClosed, `identity review ${reviewId} is ${review.status}`);
      }
      const patient = await this.roster.findById(manager, patientId);
      if (!patient) {
        throw new PharmacyError(PharmacyErrorCode.PatientNotFound, `roster patient ${patientId} not found`);
      }
      const event = review.event as EncounterEvent;
      // The decision links the hospital's identifiers, so this patient's next message matches directly.
      await this.roster.attachIdentifiers(manager, patient.id, event.data.patient.identifiers);
      await this.reviews.close(manager, reviewId, 'resolved', actorId, patient.id);
      await this.roster.rememberSubjects(manager, [{ subject: event.subject, patientId: patient.id }]);
      return this.work.apply(manager, event, patient, 'identity-review');
    });
  }

  async dismiss(reviewId: string, actorId: string): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const review = await this.reviews.lock(manager, reviewId);
      if (!review) {
        throw new PharmacyError(PharmacyErrorCode.ReviewNotFound, `identity review ${reviewId} not found`);
      }
      if (review.status !== 'open') {
        throw new PharmacyError(PharmacyErrorCode.ReviewClosed, `identity review ${reviewId} is ${review.status}`);
      }
      await this.reviews.close(manager, reviewId, 'dismissed', actorId, null);
    });
  }
}
