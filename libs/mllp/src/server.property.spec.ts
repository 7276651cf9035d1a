import fc from 'fast-check';
import { ackingHandler, ackSummary, hl7Message, RawMllpPeer } from './__fixtures__/mllp-test-kit';
import { encodeMllpFrame } from './framing';
import { MllpServer, type MllpHandler } from './server';

const MAX_FRAME_BYTES = 2048;

/** Rejects frames marked REJECT and delays frames marked SLOW, so failures and reordering would show. */
const handler: MllpHandler = async (frame, meta) => {
  if (frame.includes('REJECT')) {
    throw new Error('handler failure');
  }
  if (frame.includes('SLOW')) {
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  return ackingHandler(frame, meta);
};

/** Any bytes except the two that delimit frames, which a payload cannot contain. */
const payloadByte = fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== 0x0b && byte !== 0x1c);

const textMutation = fc.record({
  at: fc.noBias(fc.integer({ min: 0, max: 1000 })).map((n) => n / 1000),
  remove: fc.integer({ min: 0, max: 8 }),
  insert: fc.oneof(fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', 'MSH|', '\\X0\\', 'é'), fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('latin1'))),
});

type StreamItem =
  | { readonly kind: 'message'; readonly controlId: string; readonly mutations: ReadonlyArray<{ at: number; remove: number; insert: string }> }
  | { readonly kind: 'binary'; readonly bytes: number[] }
  | { readonly kind: 'noise'; readonly bytes: number[] }
  | { readonly kind: 'oversize' };

const item: fc.Arbitrary<StreamItem> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('message' as const),
      controlId: fc.tuple(fc.constantFrom('', 'REJECT', 'SLOW'), fc.nat(9999)).map(([marker, n]) => `${marker}C${n}`),
      mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.array(payloadByte, { maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('noise' as const), bytes: fc.array(payloadByte, { minLength: 1, maxLength: 32 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'oversize' as const }) },
);

function payloadOf(entry: Exclude<StreamItem, { kind: 'noise' }>): Buffer {
  switch (entry.kind) {
    case 'message': {
      const text = entry.mutations.reduce((current, { at, remove, insert }) => {
        const position = Math.floor(at * current.length);
        return current.slice(0, position) + insert + current.slice(position + remove);
      }, hl7Message(entry.controlId));
      return Buffer.from(text.replace(/[\u000b\u001c]/g, ''), 'latin1');
    }
    case 'binary':
      return Buffer.from(entry.bytes);
    case 'oversize':
      return Buffer.from(`${hl7Message('OVERSIZE')}NTE|1||${'x'.repeat(MAX_FRAME_BYTES)}\r`);
  }
}

/** The wire bytes, cut into reads at the given fractions of its length. */
function split(wire: Buffer, cuts: readonly number[]): Buffer[] {
  const positions = [...new Set(cuts.map((cut) => Math.floor(cut * wire.length)))].sort((a, b) => a - b);
  return [0, ...positions].map((start, i, all) => wire.subarray(start, all[i + 1] ?? wire.length)).filter((chunk) => chunk.length > 0);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe(`${MllpServer.name} (property-based, real sockets)`, () => {
  let server: MllpServer;

  beforeAll(async () => {
    server = new MllpServer(handler, { port: 0, maxFrameBytes: MAX_FRAME_BYTES });
    await server.listen();
  });

  afterAll(() => server.close());

  it('answers every frame in order, or NAKs an oversized one and closes cleanly; a good message afterwards is still acknowledged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.array(fc.noBias(fc.integer({ min: 0, max: 1000 })).map((n) => n / 1000), { maxLength: 12 }),
        async (items, cuts) => {
          const oversizeAt = items.findIndex((entry) => entry.kind === 'oversize');
          const sent = oversizeAt === -1 ? items : items.slice(0, oversizeAt + 1);
          const frames = sent.filter((entry): entry is Exclude<StreamItem, { kind: 'noise' }> => entry.kind !== 'noise');
          const wire = Buffer.concat(items.map((entry) => (entry.kind === 'noise' ? Buffer.from(entry.bytes) : encodeMllpFrame(payloadOf(entry)))));
          const peer = await RawMllpPeer.connect(server.port);
          try {
            await peer.write(...split(wire, cuts));
            await withTimeout(peer.waitForReplies(frames.length), 3_000, `${frames.length} replies`);

            expect(peer.replies).toHaveLength(frames.length);
            peer.replies.forEach((reply, i) => {
              const expected = frames[i];
              const { code, controlId } = ackSummary(reply);
              expect(['AA', 'AE', 'AR']).toContain(code);
              if (expected.kind === 'message' && expected.mutations.length === 0) {
                expect({ code, controlId }).toEqual({ code: expected.controlId.startsWith('REJECT') ? 'AR' : 'AA', controlId: expected.controlId });
              }
              if (expected.kind === 'oversize') {
                expect({ code, controlId }).toEqual({ code: 'AR', controlId: 'OVERSIZE' });
              }
            });

            if (oversizeAt !== -1) {
              await withTimeout(peer.closed, 3_000, 'the connection to close');
              return;
            }
            // A frame cut short by the stream's end would swallow the next start byte; MLLP senders never leave one open.
            await peer.write(encodeMllpFrame(hl7Message('AFTER')));
            await withTimeout(peer.waitForReplies(frames.length + 1), 3_000, 'the follow-up acknowledgment');
            expect(ackSummary(peer.replies[frames.length])).toEqual({ code: 'AA', controlId: 'AFTER' });
            expect(peer.isClosed).toBe(false);
          } finally {
            peer.destroy();
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(server.stats.activeConnections).toBeLessThanOrEqual(1);
  }, 30_000);
});
