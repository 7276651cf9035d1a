import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, SERVICES, SystemUnderTest, databaseUrl, repoRoot } from '@sc/testing';
import { describeFeedMix, feedMix, feedMixRecord, type FeedMix } from '../feed/feed-mix';
import { barChart } from './lib/chart';
import { compareWithFloor, cpuBudget, describeCpuBudget, describeFloorComparison, type CpuBudget } from './lib/cpu-budget';
import { benchmarkProcessGroups, startCpuUsage } from './lib/cpu-usage';
import { benchPatients, loadRoster, mixedMessages } from './lib/feed-load';
import { FLOOR_CONSUMER_GROUPS, FloorPipeline, productDrained, type FloorStats } from './lib/floor';
import { BENCH_SERVICE_ENV } from './lib/service-env';
import { ingestBatchStats } from './lib/ingest-batches';
import { postgresqlSettings, probeDatabase, walSyncs, type DatabaseProbe } from './lib/database-probe';
import { runLoad, type LoadResult } from './lib/load';

/**
 * `npm run bench:ingest`: durable acknowledgments per second that adt-ingest sustains over 1, 4,
 * 8 and 16 MLLP connections with every service of the system running, against the ceiling of
 * the same MLLP server and parser acknowledging without storing. Writes
 * bench/results/ingest-<date>.json and .svg.
 *
 * BENCH_SECONDS (default 10) sets the duration of each step; BENCH_CONNECTIONS (default 1,4,8,16) the steps.
 * Each connection waits for every ACK before sending the next message (how interface engines
 * usually send); a last step has 16 connections keep BENCH_PIPELINE_WINDOW (default 8) messages
 * in flight each, for senders that pipeline.
 *
 * Messages follow a declared feed mix (`--mix realistic`, the default, or `worst`; BENCH_MIX),
 * and every step is also run against the floor pipeline (tools/bench/floor-pipeline.ts): CPU per
 * stored message of the product and of the floor, by process, and their ratio. A step's CPU is
 * measured until the consumers have read everything it caused, so lagging consumers are counted.
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,4,8,16').split(',').map(Number);
const PIPELINE_WINDOW = Number(process.env.BENCH_PIPELINE_WINDOW ?? 8);
/** Connection count and messages in flight per connection of each step. */
const STEPS: ReadonlyArray<{ connections: number; window: number }> = [
  ...CONNECTIONS.map((connections) => ({ connections, window: 1 })),
  ...(PIPELINE_WINDOW > 1 ? [{ connections: 16, window: PIPELINE_WINDOW }] : []),
];
const stepLabel = ({ connections, window }: { connections: number; window: number }): string =>
  `${connections} conn${window > 1 ? ` x ${window} in flight` : ''}`;
const TARGET_PER_SECOND = 5000;

const { values: options } = parseArgs({
  options: { mix: { type: 'string', default: process.env.BENCH_MIX ?? 'realistic' }, 'floor-groups': { type: 'string', default: String(FLOOR_CONSUMER_GROUPS) } },
});
const MIX: FeedMix = feedMix(options.mix);
const FLOOR_GROUPS = Number(options['floor-groups']);

async function startBareServer(): Promise<{ port: number; child: ChildProcess }> {
  const entry = path.join(repoRoot(), 'dist', 'tools', 'bench', 'bare-mllp-server.js');
  const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /port=(\d+)/.exec(chunk.toString());
      if (match) {
        resolve(Number(match[1]));
      }
    });
    child.once('exit', () => reject(new Error('the bare MLLP server exited')));
  });
  return { port, child };
}

function row(label: string, result: LoadResult, extra = ''): string {
  return `${label.padEnd(12)} ${stepLabel(result).padEnd(22)} ${String(result.perSecond).padStart(7)}/s  p50 ${String(result.p50Ms).padStart(6)} ms  p99 ${String(result.p99Ms).padStart(7)} ms  ${extra}`;
}

interface IngestRun {
  readonly services: readonly string[];
  readonly database: DatabaseProbe;
  readonly steps: Array<LoadResult & { averageBatch: number; drainSeconds: number; cpu: CpuBudget; walSyncsPerMessage: number; walSyncsPerBatch: number }>;
  readonly durability: { acknowledged: number; stored: number };
}

/** CPU per accepted message over a step and the drain after it: `seconds` is how long the measurement ran. */
function cpuOver(percentOfCore: Record<string, number>, accepted: number, seconds: number): CpuBudget {
  return cpuBudget(percentOfCore, accepted / seconds, os.cpus().length, TARGET_PER_SECOND);
}

/** Drives adt-ingest (with `services` running) through every step and checks that each accept was stored. */
async function measureIngest(system: SystemUnderTest, run: string, label: string): Promise<IngestRun> {
  const metricsUrl = system.service('adt-ingest').url('/metrics');
  const database = await probeDatabase(databaseUrl(system.runId, 'adt-ingest'));
  console.log(`${label}: database round trip ${database.roundTripMs} ms, ${database.commitsPerSecond} single-row commits/s from one connection`);
  const patients = benchPatients(MIX);
  console.log(`${label}: ${await loadRoster(system, patients)} attributed patients on the roster`);
  await runLoad({ port: system.mllpPort, connections: 4, seconds: 3, message: mixedMessages(MIX, patients, 4, `B${run}w`) });
  await productDrained(system, () => undefined);
  const steps: IngestRun['steps'] = [];
  let acknowledged = 0;
  const groups = benchmarkProcessGroups(system);
  for (const [index, { connections, window }] of STEPS.entries()) {
    const before = await ingestBatchStats(metricsUrl);
    const syncsBefore = await walSyncs(ADMIN_DATABASE_URL);
    const started = performance.now();
    const cpuUsage = startCpuUsage(groups);
    const result = await runLoad({ port: system.mllpPort, connections, window, seconds: SECONDS, message: mixedMessages(MIX, patients, connections, `B${run}c${index}`) });
    const drained = await productDrained(system, () => ({ percentOfCore: cpuUsage(), seconds: (performance.now() - started) / 1000 }));
    const cpu = cpuOver(drained.measured.percentOfCore, result.accepted, drained.measured.seconds);
    const after = await ingestBatchStats(metricsUrl);
    // Server-wide, from the step's start until the consumers caught up: every service's commits, not only ingest's.
    const syncs = (await walSyncs(ADMIN_DATABASE_URL)) - syncsBefore;
    const averageBatch = Math.round(((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 10) / 10;
    const drainSeconds = Math.round(drained.seconds * 10) / 10;
    const walSyncsPerMessage = Math.round((syncs / Math.max(1, result.accepted)) * 100) / 100;
    const walSyncsPerBatch = Math.round((syncs / Math.max(1, after.count - before.count)) * 100) / 100;
    steps.push({ ...result, averageBatch, drainSeconds, cpu, walSyncsPerMessage, walSyncsPerBatch });
    acknowledged += result.accepted;
    console.log(
      row(label, result, `avg batch ${averageBatch}, WAL fsyncs ${walSyncsPerMessage}/message ${walSyncsPerBatch}/batch, consumers caught up ${drainSeconds} s after${result.refused > 0 ? `, ${result.refused} refused` : ''}`),
    );
    console.log(`${''.padEnd(13)}${describeCpuBudget(cpu, 'message', TARGET_PER_SECOND)}`);
  }
  const db = new Client({ connectionString: databaseUrl(system.runId, 'adt-ingest') });
  await db.connect();
  try {
    const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM received_messages WHERE control_id LIKE $1`, [`B${run}c%`]);
    const stored = Number(rows[0].count);
    console.log(`${label}: ${acknowledged} accepted acknowledgments, ${stored} messages stored`);
    return { services: [...system.processes.keys()], database, steps, durability: { acknowledged, stored } };
  } finally {
    await db.end();
  }
}

interface FloorRun {
  readonly consumerGroups: number;
  readonly steps: Array<LoadResult & { averageBatch: number; drainSeconds: number; cpu: CpuBudget }>;
  readonly durability: { acknowledged: number; stored: number; produced: number; consumed: readonly number[] };
}

/** The same steps, with the same mix, against the floor pipeline. */
async function measureFloor(run: string): Promise<FloorRun> {
  const floor = await FloorPipeline.start(FLOOR_GROUPS);
  try {
    const patients = benchPatients(MIX);
    await runLoad({ port: floor.mllpPort, connections: 4, seconds: 3, message: mixedMessages(MIX, patients, 4, `F${run}w`) });
    await floor.drained();
    const steps: FloorRun['steps'] = [];
    let acknowledged = 0;
    for (const [index, { connections, window }] of STEPS.entries()) {
      const before: FloorStats = await floor.stats();
      const started = performance.now();
      const cpuUsage = startCpuUsage(floor.processGroups());
      const result = await runLoad({ port: floor.mllpPort, connections, window, seconds: SECONDS, message: mixedMessages(MIX, patients, connections, `F${run}c${index}`) });
      const drainSeconds = Math.round((await floor.drained()) * 10) / 10;
      const cpu = cpuOver(cpuUsage(), result.accepted, (performance.now() - started) / 1000);
      const after = await floor.stats();
      const averageBatch = Math.round(((after.stored - before.stored) / Math.max(1, after.commits - before.commits)) * 10) / 10;
      steps.push({ ...result, averageBatch, drainSeconds, cpu });
      acknowledged += result.accepted;
      console.log(row('floor', result, `avg batch ${averageBatch}, consumers caught up ${drainSeconds} s after${result.refused > 0 ? `, ${result.refused} refused` : ''}`));
      console.log(`${''.padEnd(13)}${describeCpuBudget(cpu, 'message', TARGET_PER_SECOND)}`);
    }
    const { stored, produced, consumed } = await floor.stats();
    return { consumerGroups: FLOOR_GROUPS, steps, durability: { acknowledged, stored, produced, consumed } };
  } finally {
    await floor.stop();
  }
}

async function measureCeiling(run: string): Promise<LoadResult[]> {
  const bare = await startBareServer();
  try {
    const patients = benchPatients(MIX);
    await runLoad({ port: bare.port, connections: 4, seconds: 2, message: mixedMessages(MIX, patients, 4, `${run}bw`) });
    const results: LoadResult[] = [];
    for (const { connections, window } of STEPS) {
      const result = await runLoad({ port: bare.port, connections, window, seconds: SECONDS, message: mixedMessages(MIX, patients, connections, `${run}b`) });
      results.push(result);
      console.log(row('bare MLLP', result));
    }
    return results;
  } finally {
    bare.child.kill('SIGTERM');
  }
}

/** Starts services, once more if the first start fails (topic creation right after another run's topics were deleted sometimes meets a broker not yet caught up). */
async function startSystem(services: Parameters<typeof SystemUnderTest.start>[0]['services']): Promise<SystemUnderTest> {
  try {
    return await SystemUnderTest.start({ services, env: BENCH_SERVICE_ENV });
  } catch (error) {
    console.log(`starting ${services.join(', ')} failed (${error instanceof Error ? error.message : String(error)}); trying once more`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return SystemUnderTest.start({ services, env: BENCH_SERVICE_ENV });
  }
}

async function main(): Promise<void> {
  const run = Date.now().toString(36);
  const loadAtStart = os.loadavg();
  console.log(`ingest benchmark: ${SECONDS} s per step, ${STEPS.map(stepLabel).join(', ')}; ${os.cpus().length} CPUs, load ${loadAtStart.map((load) => load.toFixed(2)).join(' ')}`);
  console.log(describeFeedMix(MIX));
  console.log(`floor: the same messages group-committed into one table, produced to Kafka, read and parsed by ${FLOOR_GROUPS} consumer groups`);

  const floor = await measureFloor(run);
  const full = await startSystem(SERVICES);
  let withSystem: IngestRun;
  let ceiling: LoadResult[];
  try {
    withSystem = await measureIngest(full, `${run}s`, 'all services');
    // Same conditions: the whole system is still up (idle), only the handler differs.
    ceiling = await measureCeiling(run);
  } finally {
    await full.stop();
  }
  const single = await startSystem(['adt-ingest']);
  let alone: IngestRun;
  try {
    alone = await measureIngest(single, `${run}a`, 'ingest alone');
  } finally {
    await single.stop();
  }

  const date = new Date().toISOString().slice(0, 10);
  const resultsDir = path.join(repoRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const comparison = withSystem.steps.map((result, index) => ({
    step: stepLabel(result),
    allServicesPerSecond: result.perSecond,
    ingestAlonePerSecond: alone.steps[index]?.perSecond ?? null,
    ceilingPerSecond: ceiling[index]?.perSecond ?? null,
    ratioToCeiling: ceiling[index] ? Math.round((result.perSecond / ceiling[index].perSecond) * 100) / 100 : null,
    coresForTargetAllServices: result.cpu.coresForTarget,
    coresForTargetAlone: alone.steps[index]?.cpu.coresForTarget ?? null,
    floorPerSecond: floor.steps[index]?.perSecond ?? null,
    cpuRatioToFloor: floor.steps[index] ? compareWithFloor(result.cpu, floor.steps[index].cpu).ratio.machine : null,
  }));
  const floorComparison = withSystem.steps.map((result, index) => ({
    step: stepLabel(result),
    allServices: compareWithFloor(result.cpu, floor.steps[index].cpu),
    ingestAlone: alone.steps[index] ? compareWithFloor(alone.steps[index].cpu, floor.steps[index].cpu) : null,
  }));
  for (const { step, allServices } of floorComparison) {
    console.log(`${step}, all services against the floor:\n${describeFloorComparison(allServices, 'stored message')}`);
  }
  const report = {
    date: new Date().toISOString(),
    command: 'npm run bench:ingest',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg(), node: process.version },
    postgresql: await postgresqlSettings(ADMIN_DATABASE_URL),
    setup: {
      secondsPerStep: SECONDS,
      message: 'ADT v2.5.1 of the feed mix (mix), 20,000 synthetic patients, each connection its own share of them',
      floor: `the same messages over MLLP, parsed, group-committed into one table, ACKed after commit, produced to Kafka (acks=all, batched), read and JSON-parsed by ${FLOOR_GROUPS} consumer groups`,
      sending: 'one message in flight per connection (next sent after its ACK), except the last step: 16 connections pipelining',
      durable: 'ACK only after the PostgreSQL commit of message + encounter + outbox rows (synchronous_commit on)',
      ceiling: 'the same MLLP server and parser answering AA without storing, in its own process, while all services are up',
      cpu: 'per step, CPU time per accepted message of each process group (/proc) and of the whole machine, from the step start until every consumer has read what the step caused; coresForTarget is what the machine figure would need at the target rate',
    },
    targetPerSecond: TARGET_PER_SECOND,
    mix: feedMixRecord(MIX),
    serviceEnv: BENCH_SERVICE_ENV,
    allServices: withSystem,
    floor,
    floorComparison,
    ingestAlone: alone,
    ceiling,
    comparison,
  };
  writeFileSync(path.join(resultsDir, `ingest-${date}-${MIX.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    path.join(resultsDir, `ingest-${date}-${MIX.name}.svg`),
    barChart({
      title: 'adt-ingest: durable ACKs per second over MLLP',
      subtitle: `${date}: ${os.cpus().length} CPUs shared with PostgreSQL and Kafka, load average ${loadAtStart[0].toFixed(1)} at start; ${SECONDS} s per step`,
      groups: STEPS.map(stepLabel),
      series: [
        { name: 'adt-ingest, all services running', color: '#2e86c1', values: withSystem.steps.map((result) => result.perSecond) },
        { name: 'adt-ingest alone', color: '#85c1e9', values: alone.steps.map((result) => result.perSecond) },
        { name: 'floor pipeline', color: '#58d68d', values: floor.steps.map((result) => result.perSecond) },
        { name: 'bare MLLP (ACK, no storage)', color: '#aab7b8', values: ceiling.map((result) => result.perSecond) },
      ],
      unit: 'acknowledgments per second',
      target: TARGET_PER_SECOND,
    }),
  );
  console.table(comparison);
  console.log(`results: bench/results/ingest-${date}-${MIX.name}.json and .svg`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
