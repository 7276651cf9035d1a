import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

import {
  errorMessage,
  findRepoRoot,
  log,
  pidFileNamesLiveProcess,
  pollUntil,
  removeFile,
  runCommand,
  startDetached,
  stopProcessFromPidFile,
  withLockFile,
  type DetachedProcess,
} from './process';

export interface KafkaOptions {
  brokerPort?: number;
  controllerPort?: number;
  /** Holds server.properties, the cluster id, the log dirs, kafka.log and kafka.pid. Default `<repo>/.run/kafka`. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export interface KafkaEndpoint {
  brokers: string[];
  /** False when a broker was already answering (started earlier, or named by KAFKA_BROKERS). */
  startedHere: boolean;
}

export interface KafkaStatus {
  brokers: string[];
  answering: boolean;
  /** The broker this tool started, if its process is alive. */
  pid: number | undefined;
  clusterId: string | undefined;
  dataDir: string;
  logFile: string;
}

const DEFAULT_BROKER_PORT = 9092;
const DEFAULT_CONTROLLER_PORT = 9093;
const DEFAULT_READY_TIMEOUT_MS = 90_000;
// Covers a first `mvn` download of the jars by whoever holds the lock, plus its startup.
const START_LOCK_TIMEOUT_MS = 5 * 60_000;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
const READINESS_PROBE_GROUP = 'stack-readiness-probe';
const START_MARKER = '===== started by tools/stack/kafka.ts at';
const CLUSTER_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** The exact command in scripts/bootstrap.sh, so both leave deploy/kafka/lib/ in the same state. */
const FETCH_JARS_ARGS = [
  '-q',
  '-B',
  '-f',
  'deploy/kafka/pom.xml',
  'dependency:copy-dependencies',
  '-DincludeScope=runtime',
  '-DoutputDirectory=lib',
];

const BROKER_JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];
const TOOL_JVM_OPTIONS = ['-Xmx256m', '-Djava.awt.headless=true'];

interface KafkaPaths {
  root: string;
  dataDir: string;
  logDirs: string;
  serverProperties: string;
  clusterIdFile: string;
  pidFile: string;
  logFile: string;
  lockFile: string;
  libDir: string;
  libComplete: string;
  log4jConfig: string;
  serverPropertiesTemplate: string;
}

function kafkaPaths(dataDirOption: string | undefined): KafkaPaths {
  const root = findRepoRoot();
  const dataDir = path.resolve(root, dataDirOption ?? path.join('.run', 'kafka'));
  const deployDir = path.join(root, 'deploy', 'kafka');
  return {
    root,
    dataDir,
    logDirs: path.join(dataDir, 'data'),
    serverProperties: path.join(dataDir, 'server.properties'),
    clusterIdFile: path.join(dataDir, 'cluster.id'),
    pidFile: path.join(dataDir, 'kafka.pid'),
    logFile: path.join(dataDir, 'kafka.log'),
    lockFile: path.join(dataDir, 'start.lock'),
    libDir: path.join(deployDir, 'lib'),
    libComplete: path.join(deployDir, 'lib', '.complete'),
    log4jConfig: path.join(deployDir, 'log4j2.properties'),
    serverPropertiesTemplate: path.join(deployDir, 'server.properties.template'),
  };
}

function brokersFromEnv(): string[] | undefined {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  return brokers.length > 0 ? brokers : undefined;
}

function probeClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
}

/** True when an admin client can connect and describe the cluster. */
export async function brokersAnswer(brokers: string[]): Promise<boolean> {
  const admin = probeClient(brokers).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Right after startup the group coordinator (which creates __consumer_offsets on first use) and
 * the producer id allocation answer "not available"; kafkajs retries but logs every attempt at
 * ERROR. Waiting for both here keeps that noise out of the services and tests that come next.
 */
async function brokerServesClients(brokers: string[]): Promise<boolean> {
  const kafka = probeClient(brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, retry: { retries: 1 } });
  try {
    await admin.connect();
    // Also loads the cluster metadata that describeGroups needs to find the coordinator.
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) {
      return false;
    }
    await admin.describeGroups([READINESS_PROBE_GROUP]);
    await producer.connect();
    return true;
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

async function brokersAnswerQuietly(brokers: string[]): Promise<boolean> {
  try {
    return await brokersAnswer(brokers);
  } catch {
    return false;
  }
}

/**
 * Returns a broker that answers: KAFKA_BROKERS or 127.0.0.1:9092 if one already does, otherwise a
 * single-node KRaft broker started from the Maven jars in deploy/kafka/lib, detached, in dataDir.
 */
export async function ensureKafka(options: KafkaOptions = {}): Promise<KafkaEndpoint> {
  const brokerPort = options.brokerPort ?? DEFAULT_BROKER_PORT;
  const controllerPort = options.controllerPort ?? DEFAULT_CONTROLLER_PORT;
  const localBroker = `127.0.0.1:${brokerPort}`;
  const brokers = brokersFromEnv() ?? [localBroker];

  if (await brokersAnswerQuietly(brokers)) {
    log(`Kafka answers on ${brokers.join(',')}`);
    return { brokers, startedHere: false };
  }
  if (brokers.length !== 1 || brokers[0] !== localBroker) {
    throw new Error(
      `KAFKA_BROKERS=${brokers.join(',')} does not answer; unset it to have a local broker started on ${localBroker}`,
    );
  }

  const paths = kafkaPaths(options.dataDir);
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  return withLockFile(paths.lockFile, START_LOCK_TIMEOUT_MS, async () => {
    // Whoever held the lock before us may have just started one.
    if (await brokersAnswerQuietly(brokers)) {
      log(`Kafka answers on ${brokers.join(',')}`);
      return { brokers, startedHere: false };
    }
    const runningPid = pidFileNamesLiveProcess(paths.pidFile);
    if (runningPid !== undefined) {
      log(`Kafka pid ${runningPid} (from ${paths.pidFile}) is running but not answering yet; waiting for it`);
      await waitUntilReady(brokers, paths, readyTimeoutMs, undefined);
      return { brokers, startedHere: false };
    }

    const startedAt = Date.now();
    await ensureJars(paths);
    await mkdir(paths.logDirs, { recursive: true });
    const clusterId = await ensureClusterId(paths);
    writeServerProperties(paths, { brokerPort, controllerPort });
    await formatStorage(paths, clusterId);
    const broker = await startBroker(paths);
    log(`Kafka starting (pid ${broker.pid}, cluster ${clusterId}, log ${paths.logFile})`);
    await waitUntilReady(brokers, paths, readyTimeoutMs, broker);
    log(`Kafka ready on ${localBroker} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    return { brokers, startedHere: true };
  });
}

async function ensureJars(paths: KafkaPaths): Promise<void> {
  if (existsSync(paths.libComplete)) {
    return;
  }
  log('fetching Apache Kafka jars from Maven Central (deploy/kafka/pom.xml)');
  await runTool('mvn', FETCH_JARS_ARGS, paths.root, 'install Maven (apt-get install maven) or run scripts/bootstrap.sh');
  writeFileSync(paths.libComplete, '');
}

async function ensureClusterId(paths: KafkaPaths): Promise<string> {
  const stored = readClusterId(paths);
  if (stored !== undefined) {
    return stored;
  }
  // A data dir formatted earlier keeps its id even if cluster.id was deleted: reusing it avoids
  // a "cluster id mismatch" at startup.
  const formatted = clusterIdFromMetaProperties(paths);
  const clusterId = formatted ?? (await runKafkaTool(paths, ['random-uuid'])).trim();
  if (!CLUSTER_ID_PATTERN.test(clusterId)) {
    throw new Error(`kafka.tools.StorageTool random-uuid returned "${clusterId}", not a 22-character cluster id`);
  }
  writeFileSync(paths.clusterIdFile, `${clusterId}\n`);
  return clusterId;
}

function readClusterId(paths: KafkaPaths): string | undefined {
  if (!existsSync(paths.clusterIdFile)) {
    return undefined;
  }
  const clusterId = readFileSync(paths.clusterIdFile, 'utf8').trim();
  return CLUSTER_ID_PATTERN.test(clusterId) ? clusterId : undefined;
}

function clusterIdFromMetaProperties(paths: KafkaPaths): string | undefined {
  const metaProperties = path.join(paths.logDirs, 'meta.properties');
  if (!existsSync(metaProperties)) {
    return undefined;
  }
  const match = /^cluster\.id=(.+)$/m.exec(readFileSync(metaProperties, 'utf8'));
  return match?.[1]?.trim();
}

function writeServerProperties(paths: KafkaPaths, ports: { brokerPort: number; controllerPort: number }): void {
  const values: Record<string, string> = {
    brokerPort: String(ports.brokerPort),
    controllerPort: String(ports.controllerPort),
    logDirs: paths.logDirs,
  };
  const template = readFileSync(paths.serverPropertiesTemplate, 'utf8');
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`${paths.serverPropertiesTemplate}: unknown placeholder ${placeholder}`);
    }
    return value;
  });
  writeFileSync(paths.serverProperties, rendered);
}

async function formatStorage(paths: KafkaPaths, clusterId: string): Promise<void> {
  const output = await runKafkaTool(paths, [
    'format',
    '-t',
    clusterId,
    '-c',
    paths.serverProperties,
    '--ignore-formatted',
  ]);
  log(`storage: ${output.trim()}`);
}

async function startBroker(paths: KafkaPaths): Promise<DetachedProcess> {
  rotateLogIfLarge(paths.logFile);
  appendFileSync(paths.logFile, `\n${START_MARKER} ${new Date().toISOString()} =====\n`);
  return startDetached(
    javaExecutable(),
    [...BROKER_JVM_OPTIONS, ...classpathOptions(paths), 'kafka.Kafka', paths.serverProperties],
    { cwd: paths.dataDir, logFile: paths.logFile, pidFile: paths.pidFile },
  );
}

function rotateLogIfLarge(logFile: string): void {
  if (existsSync(logFile) && statSync(logFile).size > LOG_ROTATE_BYTES) {
    renameSync(logFile, `${logFile}.1`);
  }
}

async function waitUntilReady(
  brokers: string[],
  paths: KafkaPaths,
  timeoutMs: number,
  broker: DetachedProcess | undefined,
): Promise<void> {
  let exit: string | undefined;
  void broker?.exited.then(({ code, signal }) => {
    exit = `the broker process exited during startup (${signal ?? `exit code ${String(code)}`})`;
  });
  try {
    await pollUntil(() => brokerServesClients(brokers), {
      timeoutMs,
      intervalMs: 500,
      describe: `Kafka on ${brokers.join(',')}`,
      stopEarly: () => exit,
    });
  } catch (error) {
    const stillRunning = exit === undefined;
    if (!stillRunning) {
      removeFile(paths.pidFile);
    }
    throw new Error(
      `${errorMessage(error)}\nSee ${paths.logFile}; from this start:\n${errorsOfLatestStart(paths.logFile)}` +
        (stillRunning ? '\nIt may still be starting; stop it with: node dist/tools/stack/main.js kafka-down' : ''),
    );
  }
}

/** ERROR lines and exception messages since the last start marker, else its last lines. */
function errorsOfLatestStart(logFile: string): string {
  if (!existsSync(logFile)) {
    return '(no log file)';
  }
  const text = readFileSync(logFile, 'utf8');
  const lines = text
    .slice(text.lastIndexOf(START_MARKER))
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('\t'));
  const errors = lines.filter((line) => /\] (ERROR|FATAL) /.test(line) || /^[\w.$]*(Exception|Error)\b.*:/.test(line));
  return (errors.length > 0 ? errors.slice(0, 8) : lines.slice(-10)).join('\n');
}

/** Stops the broker this tool started (named by the pid file in dataDir); a no-op when none runs. */
export async function stopKafka(options: Pick<KafkaOptions, 'dataDir'> = {}): Promise<{ stopped: boolean }> {
  const paths = kafkaPaths(options.dataDir);
  const pid = await stopProcessFromPidFile(paths.pidFile);
  if (pid === undefined) {
    log(`no Kafka started by this tool is running (${paths.pidFile})`);
    return { stopped: false };
  }
  log(`Kafka pid ${pid} stopped`);
  return { stopped: true };
}

export async function kafkaStatus(options: Omit<KafkaOptions, 'readyTimeoutMs'> = {}): Promise<KafkaStatus> {
  const paths = kafkaPaths(options.dataDir);
  const brokers = brokersFromEnv() ?? [`127.0.0.1:${options.brokerPort ?? DEFAULT_BROKER_PORT}`];
  return {
    brokers,
    answering: await brokersAnswerQuietly(brokers),
    pid: pidFileNamesLiveProcess(paths.pidFile),
    clusterId: readClusterId(paths),
    dataDir: paths.dataDir,
    logFile: paths.logFile,
  };
}

function javaExecutable(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome !== undefined && javaHome !== '' ? path.join(javaHome, 'bin', 'java') : 'java';
}

function classpathOptions(paths: KafkaPaths): string[] {
  // The JVM expands the trailing '*' itself; no shell is involved.
  return [`-Dlog4j2.configurationFile=${paths.log4jConfig}`, '-cp', path.join(paths.libDir, '*')];
}

function runKafkaTool(paths: KafkaPaths, args: string[]): Promise<string> {
  return runTool(
    javaExecutable(),
    [...TOOL_JVM_OPTIONS, ...classpathOptions(paths), 'kafka.tools.StorageTool', ...args],
    paths.root,
    'install a Java 17+ runtime (apt-get install openjdk-17-jre-headless) or set JAVA_HOME',
  );
}

async function runTool(command: string, args: string[], cwd: string, installHint: string): Promise<string> {
  try {
    return (await runCommand(command, args, { cwd })).stdout;
  } catch (error) {
    const message = errorMessage(error);
    throw new Error(message.includes('ENOENT') ? `${message}: ${installHint}` : message);
  }
}
