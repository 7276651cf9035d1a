import { MllpClient } from '@sc/mllp';

export interface LoadResult {
  readonly connections: number;
  /** Messages each connection keeps in flight (1: wait for each ACK before sending the next). */
  readonly window: number;
  readonly seconds: number;
  /** Messages answered with an accept (AA/CA). */
  readonly accepted: number;
  /** Messages answered with anything else. */
  readonly refused: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

const ACCEPTED = /\rMSA\|(AA|CA)\|/;

/**
 * Drives `connections` MLLP connections for `seconds`, each sending its next message only after
 * the previous one was acknowledged (as interface engines do) or, with `window`, keeping that
 * many in flight; measures acknowledgments per second and their latency.
 */
export async function runLoad(options: {
  port: number;
  connections: number;
  seconds: number;
  /** Messages in flight per connection; 1 (the default) is how most interface engines send. */
  window?: number;
  message: (connection: number, sequence: number) => string;
}): Promise<LoadResult> {
  const window = options.window ?? 1;
  const clients = await Promise.all(Array.from({ length: options.connections }, () => MllpClient.connect({ port: options.port, responseTimeoutMs: 60_000 })));
  const latencies: number[] = [];
  let accepted = 0;
  let refused = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.seconds * 1000;
  const lane = async (client: MllpClient, connection: number, first: number): Promise<void> => {
    for (let sequence = first; Date.now() < deadline; sequence += window) {
      const sent = process.hrtime.bigint();
      const ack = await client.send(options.message(connection, sequence));
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (ACCEPTED.test(ack)) {
        accepted += 1;
      } else {
        refused += 1;
      }
    }
  };
  await Promise.all(clients.flatMap((client, connection) => Array.from({ length: window }, (_, first) => lane(client, connection, first))));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((client) => client.close()));
  const sorted = Float64Array.from(latencies).sort();
  return {
    connections: options.connections,
    window,
    seconds: Math.round(elapsed * 100) / 100,
    accepted,
    refused,
    perSecond: Math.round(accepted / elapsed),
    p50Ms: Math.round(percentile(sorted, 0.5) * 100) / 100,
    p99Ms: Math.round(percentile(sorted, 0.99) * 100) / 100,
    maxMs: Math.round((sorted[sorted.length - 1] ?? 0) * 100) / 100,
  };
}
