import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, SERVICES, SYNTHETIC_SSN, SystemUnderTest, databaseUrl, repoRoot } from '@sc/testing';
import { barChart } from './lib/chart';
import { cpuBudget, describeCpuBudget, type CpuBudget } from './lib/cpu-budget';
import { benchmarkProcessGroups, startCpuUsage } from './lib/cpu-usage';
import { ingestBatchStats } from './lib/ingest-batches';
import { postgresqlSettings, probeDatabase, type DatabaseProbe } from './lib/database-probe';
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

/** A discharge shaped like the corpus' Epic feed: distinct patient, visit and control id each time. */
function discharge(run: string, connection: number, sequence: number): string {
  const id = `${run}-${connection}-${sequence}`;
  return [
    `MSH|^~\\&|EPICADT|LGH|SYNCCARE|SYNCCARE|20261120143100-0600||ADT^A03^ADT_A03|B${id}|P|2.5.1|||AL|NE||UNICODE UTF-8`,
    'EVN|A03|20261120143100-0600||||20261120142500-0600',
    `PID|1||M${connection}x${sequence % 5000}^^^LGH^MR~NSH${sequence}^^^NSHP^MB||RIVERA^JASON^M||19680412|M|||1450 ELM ST^^SPRINGFIELD^IL^62704^USA^H||^PRN^PH^^1^217^5550142||ENG|||LGH-ACCT-${sequence}|${SYNTHETIC_SSN}`,
    `PV1|1|I|CARD^412^B^LGH||||10234^NGUYEN^ANH^^^DR^MD|||CAR|||||||||V${id}|||||||||||||||||01||||||||20261117083000-0600|20261120142500-0600`,
    'DG1|1||I25.10^Atherosclerotic heart disease^I10|||F',
    'DG1|2||M06.9^Rheumatoid arthritis, unspecified^I10|||F',
    'IN1|1|NSHP-GOLD^Northstar Gold PPO|NSHP^^^NSHP|||||||||||||||||||||||||||||||||NSH778812345',
    '',
  ].join('\r');
}

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
  readonly steps: Array<LoadResult & { averageBatch: number; cpu: CpuBudget }>;
  readonly durability: { acknowledged: number; stored: number };
}

/** Drives adt-ingest (with `services` running) through every step and checks that each accept was stored. */
async function measureIngest(system: SystemUnderTest, run: string, label: string): Promise<IngestRun> {
  const metricsUrl = system.service('adt-ingest').url('/metrics');
  const database = await probeDatabase(databaseUrl(system.runId, 'adt-ingest'));
  console.log(`${label}: database round trip ${database.roundTripMs} ms, ${database.commitsPerSecond} single-row commits/s from one connection`);
  await runLoad({ port: system.mllpPort, connections: 4, seconds: 3, message: (connection, sequence) => discharge(`${run}w`, connection, sequence) });
  const steps: IngestRun['steps'] = [];
  let acknowledged = 0;
  const groups = benchmarkProcessGroups(system);
  for (const [index, { connections, window }] of STEPS.entries()) {
    const before = await ingestBatchStats(metricsUrl);
    const cpuUsage = startCpuUsage(groups);
    const result = await runLoad({ port: system.mllpPort, connections, window, seconds: SECONDS, message: (connection, sequence) => discharge(`${run}c${index}`, connection, sequence) });
    const cpu = cpuBudget(cpuUsage(), result.perSecond, os.cpus().length, TARGET_PER_SECOND);
    const after = await ingestBatchStats(metricsUrl);
    const averageBatch = Math.round(((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 10) / 10;
    steps.push({ ...result, averageBatch, cpu });
    acknowledged += result.accepted;
    console.log(row(label, result, `avg batch ${averageBatch}${result.refused > 0 ? `, ${result.refused} refused` : ''}`));
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

async function measureCeiling(run: string): Promise<LoadResult[]> {
  const bare = await startBareServer();
  try {
    await runLoad({ port: bare.port, connections: 4, seconds: 2, message: (connection, sequence) => discharge(`${run}bw`, connection, sequence) });
    const results: LoadResult[] = [];
    for (const { connections, window } of STEPS) {
      const result = await runLoad({ port: bare.port, connections, window, seconds: SECONDS, message: (connection, sequence) => discharge(`${run}b`, connection, sequence) });
      results.push(result);
      console.log(row('bare MLLP', result));
    }
    return results;
  } finally {
    bare.child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const run = Date.now().toString(36);
  const loadAtStart = os.loadavg();
  console.log(`ingest benchmark: ${SECONDS} s per step, ${STEPS.map(stepLabel).join(', ')}; ${os.cpus().length} CPUs, load ${loadAtStart.map((load) => load.toFixed(2)).join(' ')}`);

  const full = await SystemUnderTest.start({ services: SERVICES, env: { LOG_LEVEL: 'warn' } });
  let withSystem: IngestRun;
  let ceiling: LoadResult[];
  try {
    withSystem = await measureIngest(full, `${run}s`, 'all services');
    // Same conditions: the whole system is still up (idle), only the handler differs.
    ceiling = await measureCeiling(run);
  } finally {
    await full.stop();
  }
  const single = await SystemUnderTest.start({ services: ['adt-ingest'], env: { LOG_LEVEL: 'warn' } });
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
  }));
  const report = {
    date: new Date().toISOString(),
    command: 'npm run bench:ingest',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg(), node: process.version },
    postgresql: await postgresqlSettings(ADMIN_DATABASE_URL),
    setup: {
      secondsPerStep: SECONDS,
      message: 'ADT^A03 v2.5.1, ~900 bytes, distinct patient, visit and control id each time',
      sending: 'one message in flight per connection (next sent after its ACK), except the last step: 16 connections pipelining',
      durable: 'ACK only after the PostgreSQL commit of message + encounter + outbox rows (synchronous_commit on)',
      ceiling: 'the same MLLP server and parser answering AA without storing, in its own process, while all services are up',
      cpu: 'per step, CPU time per accepted message of each process group (/proc) and of the whole machine; coresForTarget is what the machine figure would need at the target rate',
    },
    targetPerSecond: TARGET_PER_SECOND,
    allServices: withSystem,
    ingestAlone: alone,
    ceiling,
    comparison,
  };
  writeFileSync(path.join(resultsDir, `ingest-${date}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    path.join(resultsDir, `ingest-${date}.svg`),
    barChart({
      title: 'adt-ingest: durable ACKs per second over MLLP',
      subtitle: `${date}: ${os.cpus().length} CPUs shared with PostgreSQL and Kafka, load average ${loadAtStart[0].toFixed(1)} at start; ${SECONDS} s per step`,
      groups: STEPS.map(stepLabel),
      series: [
        { name: 'adt-ingest, all services running', color: '#2e86c1', values: withSystem.steps.map((result) => result.perSecond) },
        { name: 'adt-ingest alone', color: '#85c1e9', values: alone.steps.map((result) => result.perSecond) },
        { name: 'bare MLLP (ACK, no storage)', color: '#aab7b8', values: ceiling.map((result) => result.perSecond) },
      ],
      unit: 'acknowledgments per second',
      target: TARGET_PER_SECOND,
    }),
  );
  console.table(comparison);
  console.log(`results: bench/results/ingest-${date}.json and .svg`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
