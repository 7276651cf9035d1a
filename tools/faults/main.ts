import { parseArgs } from 'node:util';
import type { Admin } from 'kafkajs';
import { createKafka } from '@sc/messaging';
import { SERVICES, SystemUnderTest, eventually, kafkaBrokers, type ServiceName } from '@sc/testing';
import { barChartSvg, machine, percentiles, saveResults } from '../bench/bench-results';
import { DEFAULT_FACILITIES, DEFAULT_MIX, feedPatients, rosterRows } from '../feed/feed-engine';
import { ensureInfrastructure } from '../stack';
import { consumerLag, describeLag } from './consumer-lag';
import { DischargeAudit, type AuditResult } from './discharge-audit';
import { formatTable, recoveryMs, repeated, rosterKey } from './evaluation';
import { STEP_NAMES, faultSteps, type FaultStep } from './fault-steps';
import { ProbeRunner } from './probe-runner';
import { RunDatabases, type Duplicates } from './run-databases';
import { SteadyFeed, type FeedTotals } from './steady-feed';
import { StreamWatcher } from './stream-watcher';

const USAGE = `usage: npm run test:faults -- [options]
Kills each service in turn (SIGKILL, restart) under a steady synthetic feed and checks that no
ACKed discharge of a rostered patient lost its pharmacist task and nothing was duplicated;
reports each recovery time. Writes bench/results/faults.json.

  --include-infrastructure   also restart Kafka (only a broker tools/stack started from this
                             checkout), stop PostgreSQL and stop Redis: these are shared
  --only "kill notifier,stop redis"   run only these steps (names: ${STEP_NAMES.join(', ')})
  --rate 100                 feed messages per second
  --caught-up-ms 5000        before a fault, a probe must come through within this: the
                             pipeline keeps up with the feed
  --probe-interval-ms 250    one probe discharge per interval
  --postgres-outage 20       seconds PostgreSQL stays down
  --redis-outage 10          seconds Redis stays down
  --steady 10                seconds of steady feed before each fault
  --recovery-timeout 240     seconds to wait for a probe to come through after a fault`;

const PHARMACIST = 'fault-pharm';
const TEAM = 'team-faults';

interface StepResult {
  step: string;
  fault: string;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  baselineLatencyMs?: number;
  repairSeconds?: number;
  recoverySeconds?: number;
  feed?: FeedTotals;
  probes?: { sent: number; acknowledged: number; throughPipeline: number };
  discharges?: AuditResult;
  duplicates?: Record<string, Record<string, number>>;
  /** Events each consumer group had yet to read when the step ended. */
  consumerLag?: Record<string, number>;
}

const CONSUMERS: ServiceName[] = ['pharmacy-alert', 'care-gap', 'referral', 'notifier'];

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function duplicateFindings(duplicates: Duplicates, stream: StreamWatcher): Record<string, Record<string, number>> {
  const findings: Record<string, Record<string, number>> = {
    ...duplicates,
    streamedTwice: repeated(stream.items.map((item) => item.notificationId)),
  };
  return Object.fromEntries(Object.entries(findings).filter(([, values]) => Object.keys(values).length > 0));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'include-infrastructure': { type: 'boolean', default: false },
      only: { type: 'string' },
      rate: { type: 'string', default: '100' },
      'caught-up-ms': { type: 'string', default: '5000' },
      'probe-interval-ms': { type: 'string', default: '250' },
      'postgres-outage': { type: 'string', default: '20' },
      'redis-outage': { type: 'string', default: '10' },
      'recovery-timeout': { type: 'string', default: '240' },
      steady: { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !STEP_NAMES.includes(name)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown step(s): ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const rate = Number(values.rate);
  const recoveryTimeoutMs = Number(values['recovery-timeout']) * 1000;
  const steadyMs = Number(values.steady) * 1000;
  const caughtUpMs = Number(values['caught-up-ms']);

  await ensureInfrastructure();
  const runTag = `FS${Date.now().toString(36)}`;
  console.log(`fault suite ${runTag}: starting the five services (isolated databases and topics)`);
  const system = await SystemUnderTest.start({ services: SERVICES, env: { LOG_LEVEL: 'warn' } });
  console.log(`run ${system.runId}: service logs in .run/test-logs/${system.runId}/`);
  const admin: Admin = createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-faults` }).admin();
  await admin.connect();
  const databases = new RunDatabases(system.runId, SERVICES);
  const stream = new StreamWatcher(
    () => system.service('notifier').url(`/v1/streams/users/${PHARMACIST}`),
    () => system.authorization(PHARMACIST, ['pharmacist'], [TEAM]),
  );
  const feedOptions = {
    host: '127.0.0.1',
    port: system.mllpPort,
    rate,
    patients: 2000,
    rosterShare: 0.3,
    mix: DEFAULT_MIX,
    resendShare: 0.01,
    malformedShare: 0.005,
    facilities: DEFAULT_FACILITIES,
    connections: 2,
    seed: 42,
    chunkSeconds: 2,
    runTag,
  };
  const patients = feedPatients(feedOptions);
  const rosterKeys = new Set(patients.filter((patient) => patient.rostered).map((patient) => rosterKey(patient.facility.id, patient.mrn)));
  const probes = new ProbeRunner(system, databases, stream, {
    intervalMs: Number(values['probe-interval-ms']),
    runTag,
    pharmacistId: PHARMACIST,
    teamId: TEAM,
    alsoProcessedBy: ['care-gap', 'referral'],
    rosterKeys,
  });
  const audit = new DischargeAudit(databases, rosterKeys);
  const feed = new SteadyFeed(feedOptions, patients);
  const topics = system.topics.all().map((topic) => topic.name);
  const sampleLag = async (): Promise<Record<string, number>> => {
    const lags: Record<string, number> = {};
    for (const service of CONSUMERS) {
      const partitions = await consumerLag(admin, `${system.topicPrefix}${service}`, topics);
      lags[service] = partitions.reduce((sum, entry) => sum + entry.lag, 0);
      if (lags[service] > 0) {
        console.log(`  lag ${service}: ${describeLag(partitions, system.topicPrefix)}`);
      }
    }
    return lags;
  };
  const results: StepResult[] = [];
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.log('interrupted: finishing the current step, then cleaning up');
  });

  try {
    const rosterResponse = await fetch(system.service('pharmacy-alert').url('/v1/roster/patients'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...system.authorization('fault-suite', ['integration']) },
      body: JSON.stringify({ patients: rosterRows(patients, 'team-synthetic') }),
    });
    console.log(`roster: ${rosterKeys.size} rostered feed patients (${rosterResponse.status})`);
    await probes.loadRoster(2000);
    stream.start();
    feed.start();
    probes.start();

    const steps = faultSteps(system, {
      included: values['include-infrastructure'],
      postgresOutageMs: Number(values['postgres-outage']) * 1000,
      redisOutageMs: Number(values['redis-outage']) * 1000,
    }).filter((step) => only === undefined || only.includes(step.name));
    for (const step of steps) {
      if (interrupted) {
        break;
      }
      results.push(await runStep(step));
      console.log(summaryLine(results[results.length - 1]));
    }
  } finally {
    await feed.stop();
    await probes.stopSending();
    const final = await finalCheck().catch((error: unknown) => failedStep('final check', error));
    results.push(final);
    console.log(summaryLine(final));
    await probes.stop();
    await stream.stop();
    await admin.disconnect();
    await databases.close();
    await system.stop();
  }

  report(results);
  return results.some((result) => result.status === 'failed') ? 1 : 0;

  async function runStep(step: FaultStep): Promise<StepResult> {
    const skipReason = await step.skipReason();
    if (skipReason !== undefined) {
      return { step: step.name, fault: step.fault, status: 'skipped', reason: skipReason };
    }
    try {
      const feedBefore = feed.snapshot();
      const probesBefore = probes.probes.length;
      const steadySince = Date.now();
      const steady = await eventually(async () => probes.completedSince(steadySince, caughtUpMs), 180_000, 250).catch(() => {
        throw new Error(`the pipeline does not keep up with the feed: no probe came through within ${caughtUpMs} ms for 180 s (lower --rate)`);
      });
      // The fault should find every service busy with the feed.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, steadySince + steadyMs - Date.now())));
      const faultAt = Date.now();
      console.log(`${step.name}: ${step.fault}`);
      const tookHoldAt = await step.inject();
      const repairedAt = Date.now();
      const recovery = await eventually(async () => recoveryMs(probes.probes, faultAt, tookHoldAt), recoveryTimeoutMs, 250).catch(() => undefined);
      const lag = await sampleLag();
      const discharges = await audit.check(120_000);
      const duplicates = duplicateFindings(await databases.duplicates(), stream);
      const stepProbes = probes.probes.slice(probesBefore);
      const problems = [
        ...(recovery === undefined ? [`no probe came through within ${recoveryTimeoutMs / 1000} s`] : []),
        ...(discharges.missing > 0 ? [`${discharges.missing} ACKed rostered discharge(s) without a task`] : []),
        ...(discharges.unprocessed > 0 ? [`${discharges.unprocessed} discharge(s) still unprocessed`] : []),
        ...(Object.keys(duplicates).length > 0 ? [`duplicates: ${Object.keys(duplicates).join(', ')}`] : []),
      ];
      return {
        step: step.name,
        fault: step.fault,
        status: problems.length === 0 ? 'passed' : 'failed',
        reason: problems.length === 0 ? undefined : problems.join('; '),
        baselineLatencyMs: (steady.completedAt as number) - steady.sentAt,
        repairSeconds: seconds(repairedAt - faultAt),
        recoverySeconds: recovery === undefined ? undefined : seconds(recovery),
        feed: feed.since(feedBefore),
        probes: {
          sent: stepProbes.length,
          acknowledged: stepProbes.filter((probe) => probe.ack === 'AA').length,
          throughPipeline: stepProbes.filter((probe) => probe.completedAt !== undefined).length,
        },
        discharges,
        duplicates,
        consumerLag: lag,
      };
    } catch (error) {
      return failedStep(step.name, error);
    }
  }

  async function finalCheck(): Promise<StepResult> {
    await sampleLag().catch(() => undefined);
    const discharges = await audit.check(300_000);
    // Every probe ACKed must come through once the pipeline has drained.
    await eventually(async () => (probes.probes.every((probe) => probe.ack !== 'AA' || probe.completedAt !== undefined) ? true : undefined), 120_000, 500).catch(() => undefined);
    const duplicates = duplicateFindings(await databases.duplicates(), stream);
    const lagAtEnd = await sampleLag().catch(() => undefined);
    const acknowledged = probes.probes.filter((probe) => probe.ack === 'AA');
    const stuck = acknowledged.filter((probe) => probe.completedAt === undefined);
    const notThrough = stuck.length;
    const stuckParts = ['task', 'stream', 'care-gap', 'referral'].filter((part) => stuck.some((probe) => probe.progress[part] === undefined));
    const unstreamed = stuck.flatMap((probe) => (probe.progress.stream === undefined ? [probes.taskOf(probe)?.taskId ?? ''] : [])).filter((id) => id !== '');
    const storedNotStreamed = await databases.streamDeliveries(unstreamed, `user:${PHARMACIST}`);
    for (const seq of storedNotStreamed) {
      const neighbours = stream.items.filter((item) => Math.abs(Number(item.seq) - Number(seq)) <= 3).map((item) => item.seq);
      console.log(
        `the notifier stored stream delivery ${seq} for user:${PHARMACIST} but never sent it (sent around it, in order: ${neighbours.join(', ')}; ${stream.reconnects} reconnect(s))`,
      );
    }
    const problems = [
      ...(audit.missing.length > 0 ? [`${audit.missing.length} ACKed rostered discharge(s) without a task over the run`] : []),
      ...(discharges.unprocessed > 0 ? [`${discharges.unprocessed} discharge(s) never processed`] : []),
      ...(notThrough > 0 ? [`${notThrough} ACKed probe(s) never came through (missing: ${stuckParts.join(', ')})`] : []),
      ...(Object.keys(duplicates).length > 0 ? [`duplicates: ${Object.keys(duplicates).join(', ')}`] : []),
    ];
    const latencies = acknowledged.flatMap((probe) => (probe.completedAt === undefined ? [] : [probe.completedAt - probe.sentAt]));
    return {
      step: 'final check',
      fault: 'feed stopped, pipeline drained',
      status: problems.length === 0 ? 'passed' : 'failed',
      reason: problems.length === 0 ? undefined : problems.join('; '),
      baselineLatencyMs: percentiles(latencies).p50,
      feed: feed.snapshot(),
      probes: { sent: probes.probes.length, acknowledged: acknowledged.length, throughPipeline: acknowledged.length - notThrough },
      discharges: { checked: discharges.checked, missing: audit.missing.length, unprocessed: discharges.unprocessed },
      duplicates,
      consumerLag: lagAtEnd,
    };
  }

  function report(rows: StepResult[]): void {
    const table = formatTable(rows, [
      { header: 'step', value: (row) => row.step },
      { header: 'result', value: (row) => row.status },
      { header: 'recovery s', value: (row) => row.recoverySeconds?.toFixed(1) ?? '-' },
      { header: 'repair s', value: (row) => row.repairSeconds?.toFixed(1) ?? '-' },
      { header: 'e2e before ms', value: (row) => (row.baselineLatencyMs === undefined ? '-' : String(Math.round(row.baselineLatencyMs))) },
      { header: 'feed sent', value: (row) => String(row.feed?.sent ?? '-') },
      { header: 'feed AA', value: (row) => String(row.feed?.acks.AA ?? '-') },
      { header: 'probes AA/through', value: (row) => (row.probes === undefined ? '-' : `${row.probes.acknowledged}/${row.probes.throughPipeline}`) },
      { header: 'rostered discharges', value: (row) => String(row.discharges?.checked ?? '-') },
      { header: 'missing tasks', value: (row) => String(row.discharges?.missing ?? '-') },
      { header: 'lag', value: (row) => (row.consumerLag === undefined ? '-' : String(Object.values(row.consumerLag).reduce((sum, lag) => sum + lag, 0))) },
      { header: 'duplicates', value: (row) => (row.duplicates === undefined ? '-' : String(Object.values(row.duplicates).reduce((sum, found) => sum + Object.keys(found).length, 0))) },
    ]);
    console.log(`\n${table}\n`);
    for (const row of rows.filter((result) => result.reason !== undefined)) {
      console.log(`${row.step}: ${row.reason}`);
    }
    const measured = rows.filter((row) => row.recoverySeconds !== undefined);
    const files = saveResults(
      'faults',
      {
        benchmark: 'fault suite: recovery after each fault under a steady synthetic feed',
        date: new Date().toISOString(),
        machine: machine(),
        options: { rate, steadySeconds: steadyMs / 1000, probeIntervalMs: Number(values['probe-interval-ms']), includeInfrastructure: values['include-infrastructure'], only: only ?? null },
        recoveryDefinition: 'from the fault until the first discharge sent after it took hold reached the pharmacist stream and every other consumer',
        steps: rows,
      },
      barChartSvg('Recovery after a fault (first discharge through the whole pipeline), s', 's', [
        { name: 'recovery', bars: measured.map((row) => ({ label: row.step, value: row.recoverySeconds as number })) },
      ]),
    );
    console.log(`saved ${files.json} and ${files.svg}`);
  }
}

function failedStep(step: string, error: unknown): StepResult {
  return { step, fault: '', status: 'failed', reason: error instanceof Error ? error.message : String(error) };
}

function summaryLine(result: StepResult): string {
  const recovery = result.recoverySeconds === undefined ? '' : `, recovered in ${result.recoverySeconds.toFixed(1)} s`;
  return `${result.step}: ${result.status}${recovery}${result.reason === undefined ? '' : ` (${result.reason})`}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fault suite failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
