/** Every way a referral operation can be refused; each transport maps these codes once. */
export enum ReferralErrorCode {
  ReferralNotFound = 'REFERRAL_NOT_FOUND',
  NurseNotFound = 'NURSE_NOT_FOUND',
  NurseInactive = 'NURSE_INACTIVE',
  NotInQueue = 'NOT_IN_QUEUE',
  NotSupervisor = 'NOT_SUPERVISOR',
  InvalidTransition = 'INVALID_TRANSITION',
  StepNotForType = 'STEP_NOT_FOR_TYPE',
  AlreadyClaimed = 'ALREADY_CLAIMED',
  NotClaimant = 'NOT_CLAIMANT',
  LeaseExpired = 'LEASE_EXPIRED',
  NotABriefing = 'NOT_A_BRIEFING',
  BriefingNotSent = 'BRIEFING_NOT_SENT',
}

export class ReferralError extends Error {
  constructor(
    readonly code: ReferralErrorCode,
    message: string,
  ) {
    super(message);
    this.name = ReferralError.name;
  }

  /** None of these come from event data; on the event path they would mean a transient race, worth a retry. */
  get retryable(): boolean {
    return true;
  }
}
