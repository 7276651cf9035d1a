export { MllpClient, type MllpClientOptions } from './client';
export { MllpError, MllpErrorCode } from './errors';
export { DEFAULT_MAX_FRAME_BYTES, MllpFrameDecoder, type MllpDecoderEvent, type MllpFrameDecoderOptions } from './frame-decoder';
export { CARRIAGE_RETURN, END_BLOCK, START_BLOCK, encodeMllpFrame } from './framing';
export {
  MllpServer,
  type MllpErrorContext,
  type MllpErrorPhase,
  type MllpFrameMeta,
  type MllpHandler,
  type MllpServerOptions,
  type MllpServerStats,
} from './server';
