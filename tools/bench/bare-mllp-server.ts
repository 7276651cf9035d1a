import { buildAck, decodeHl7Bytes, parseHl7 } from '@sc/hl7';
import { MllpServer } from '@sc/mllp';

/**
 * The ceiling for the ingest benchmark: the same MLLP server and parser, answering AA without
 * storing anything. Run as its own process; prints `port=<n>` when listening.
 */
async function main(): Promise<void> {
  let sequence = 0;
  const server = new MllpServer(
    async (frame) => {
      sequence += 1;
      return buildAck(parseHl7(decodeHl7Bytes(frame)), { code: 'AA', controlId: `BARE${sequence}` });
    },
    { port: 0, maxConcurrentFrames: 16, maxQueuedFrames: 32 },
  );
  await server.listen();
  process.stdout.write(`port=${server.port}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}

void main();
