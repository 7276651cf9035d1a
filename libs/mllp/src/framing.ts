import { encodeHl7Text } from '@sc/hl7';
import { MllpError, MllpErrorCode } from './errors';

/** MLLP release 1 block characters: `<VT> payload <FS><CR>`. */
export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

/**
 * Wraps one message in an MLLP frame. A string is encoded as its MSH-18 declares (Latin-1 for
 * `8859/1`, UTF-8 otherwise).
 * @throws MllpError (InvalidPayload) when the payload contains a start or end block byte.
 */
export function encodeMllpFrame(payload: string | Buffer): Buffer {
  const bytes = typeof payload === 'string' ? encodeHl7Text(payload) : payload;
  if (bytes.includes(START_BLOCK) || bytes.includes(END_BLOCK)) {
    throw new MllpError(MllpErrorCode.InvalidPayload, 'the payload contains an MLLP start or end block byte');
  }
  const frame = Buffer.allocUnsafe(bytes.length + 3);
  frame[0] = START_BLOCK;
  bytes.copy(frame, 1);
  frame[bytes.length + 1] = END_BLOCK;
  frame[bytes.length + 2] = CARRIAGE_RETURN;
  return frame;
}
