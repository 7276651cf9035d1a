/** Every way a care-gap operation can be refused; each transport maps these codes once. */
export enum CareGapErrorCode {
  GapNotFound = 'GAP_NOT_FOUND',
  InvalidTransition = 'INVALID_TRANSITION',
  RuleNotFound = 'RULE_NOT_FOUND',
  RuleVersionConflict = 'RULE_VERSION_CONFLICT',
  InvalidRule = 'INVALID_RULE',
  InvalidContextEvent = 'INVALID_CONTEXT_EVENT',
}

export class CareGapError extends Error {
  constructor(
    readonly code: CareGapErrorCode,
    message: string,
  ) {
    super(message);
    this.name = CareGapError.name;
  }

  /** For the Kafka transport: a malformed context event will not get better with retries. */
  get retryable(): boolean {
    return this.code !== CareGapErrorCode.InvalidContextEvent;
  }
}
