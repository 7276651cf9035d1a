import fc from 'fast-check';
import { MllpClient, MllpFrameDecoder, encodeMllpFrame, START_BLOCK } from '@sc/mllp';
import { SystemUnderTest } from '@sc/testing';
import { adt } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { betweenFrames, mutatedMessage } from '../../apps/adt-ingest/src/__fixtures__/hl7-mutations';
import { RawMllpPeer } from '../../libs/mllp/src/__fixtures__/mllp-test-kit';
import { ackOf, startIngest } from '../integration/ingest/support/ingest-harness';

const MAX_FRAME_BYTES = 16 * 1024;
const ANSWERS = ['AA', 'AE', 'AR'];

/** One MLLP frame around any bytes, even ones that break the framing (a start or end byte inside). */
const rawFrame = (payload: Buffer): Buffer => Buffer.concat([Buffer.from([START_BLOCK]), payload, Buffer.from([0x1c, 0x0d])]);

/** What the server can see in these bytes: the frames before an oversized one, and whether one is oversized. */
function expectedFrames(wire: Buffer): { frames: number; oversize: boolean } {
  let frames = 0;
  for (const event of new MllpFrameDecoder({ maxFrameBytes: MAX_FRAME_BYTES }).push(wire)) {
    if (event.type === 'oversize') {
      return { frames, oversize: true };
    }
    frames += 1;
  }
  return { frames, oversize: false };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const session = fc.record({
  frames: fc.array(fc.tuple(mutatedMessage, betweenFrames), { minLength: 12, maxLength: 30 }),
  oversized: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  cuts: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 12 }),
});

describe('adt-ingest survives 10,000 generated and mutated frames on its real MLLP port', () => {
  let system: SystemUnderTest;
  let sent = 0;

  beforeAll(async () => {
    system = await startIngest({ MLLP_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES), LOG_LEVEL: 'error' });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('answers every frame (AA/AE/AR) or closes the connection cleanly after an oversized one, and still ACKs a good message on the same connection', async () => {
    await fc.assert(
      fc.asyncProperty(session, async ({ frames, oversized, cuts }) => {
        const payloads = frames.map(([message]) => message);
        if (oversized) {
          payloads.splice(Math.floor(payloads.length / 2), 0, Buffer.alloc(MAX_FRAME_BYTES + 100, 'X'));
        }
        const wire = Buffer.concat(payloads.flatMap((payload, index) => [rawFrame(payload), frames[index]?.[1] ?? Buffer.alloc(0)]));
        const expected = expectedFrames(wire);
        const positions = [...new Set(cuts.map((cut) => Math.floor(cut * wire.length)))].sort((a, b) => a - b);
        const pieces = [0, ...positions].map((start, index, all) => wire.subarray(start, all[index + 1] ?? wire.length)).filter((piece) => piece.length > 0);

        const peer = await RawMllpPeer.connect(system.mllpPort);
        try {
          await peer.write(...pieces);
          const replies = expected.frames + (expected.oversize ? 1 : 0);
          await withTimeout(peer.waitForReplies(replies), 20_000, `${replies} replies`);
          expect(peer.replies).toHaveLength(replies);
          expect(peer.replies.every((reply) => ANSWERS.includes(ackOf(reply).code ?? ''))).toBe(true);
          sent += expected.frames;

          if (expected.oversize) {
            await withTimeout(peer.closed, 10_000, 'the connection closed');
            return;
          }
          const good = adt({ trigger: 'A08', controlId: `GOOD-${sent}`, visit: 'V-FUZZ' });
          await peer.write(encodeMllpFrame(good));
          await withTimeout(peer.waitForReplies(replies + 1), 20_000, 'the good message answered');
          expect(ackOf(peer.replies[replies])).toMatchObject({ code: 'AA', controlId: `GOOD-${sent}` });
        } finally {
          peer.destroy();
        }
      }),
      { numRuns: 550, endOnFailure: true },
    );

    expect(sent).toBeGreaterThanOrEqual(10_000);
    const client = await MllpClient.connect({ port: system.mllpPort });
    expect(ackOf(await client.send(adt({ trigger: 'A01', controlId: 'AFTER-FUZZ', visit: 'V-AFTER-FUZZ' }))).code).toBe('AA');
    await client.close();
    expect((await fetch(system.service('adt-ingest').url('/health'))).status).toBe(200);
  }, 120_000);
});
