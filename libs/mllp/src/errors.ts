export enum MllpErrorCode {
  /** A frame grew past `maxFrameBytes` before its end marker arrived. */
  FrameTooLarge = 'MLLP_FRAME_TOO_LARGE',
  /** A payload to send contains a start (0x0B) or end (0x1C) byte, which would break the framing. */
  InvalidPayload = 'MLLP_INVALID_PAYLOAD',
  ConnectTimeout = 'MLLP_CONNECT_TIMEOUT',
  /** No acknowledgment within `responseTimeoutMs`; the connection is dropped since later replies can no longer be matched. */
  ResponseTimeout = 'MLLP_RESPONSE_TIMEOUT',
  ConnectionClosed = 'MLLP_CONNECTION_CLOSED',
  NotConnected = 'MLLP_NOT_CONNECTED',
}

/** Transport errors of this library. Messages never contain frame content. */
export class MllpError extends Error {
  override readonly name = 'MllpError';

  constructor(
    readonly code: MllpErrorCode,
    message: string,
  ) {
    super(message);
  }
}
