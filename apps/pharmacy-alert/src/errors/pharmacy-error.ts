/** Every way a pharmacy-alert operation can be refused; each transport maps these codes once. */
export enum PharmacyErrorCode {
  TaskNotFound = 'TASK_NOT_FOUND',
  TaskClosed = 'TASK_CLOSED',
  ReconciliationRequired = 'RECONCILIATION_REQUIRED',
  PatientNotFound = 'PATIENT_NOT_FOUND',
  ReviewNotFound = 'REVIEW_NOT_FOUND',
  ReviewClosed = 'REVIEW_CLOSED',
  InvalidCsv = 'INVALID_CSV',
  InvalidEnrollment = 'INVALID_ENROLLMENT',
  InvalidPeriod = 'INVALID_PERIOD',
  TeamNotVisible = 'TEAM_NOT_VISIBLE',
}

export class PharmacyError extends Error {
  constructor(
    readonly code: PharmacyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = PharmacyError.name;
  }

  /** For the Kafka transport: only a bad enrollment message is permanent; the rest cannot come from events. */
  get retryable(): boolean {
    return this.code !== PharmacyErrorCode.InvalidEnrollment;
  }
}
