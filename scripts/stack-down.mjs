// Stops everything the local stack started: each .run/**/*.pid names one process (the Kafka
// broker, and the services). Each gets SIGTERM, up to 20 s to exit, then SIGKILL, and its pid
// file is removed.
// Plain ESM with no dependencies so that it works before (or without) a build. Idempotent.
import { readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runDir = path.join(root, '.run');
const GRACE_MS = 20_000;
const LINUX_CLOCK_TICKS_PER_SECOND = 100;
const START_TIME_TOLERANCE_MS = 5_000;

const log = (message) => process.stderr.write(`stack-down: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function* pidFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* pidFiles(full);
    else if (entry.isFile() && entry.name.endsWith('.pid')) yield full;
  }
}

function readPid(pidFile) {
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// Same rule as tools/stack/process.ts: pids wrap and .run/ survives reboots, so a process that
// started after its pid file was written is somebody else's and must not be signalled.
function startedAfterPidFile(pid, pidFile) {
  try {
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    if (!Number.isFinite(bootSeconds) || !Number.isFinite(startTicks)) return false;
    const startedAtMs = bootSeconds * 1000 + (startTicks * 1000) / LINUX_CLOCK_TICKS_PER_SECOND;
    return startedAtMs > statSync(pidFile).mtimeMs + START_TIME_TOLERANCE_MS;
  } catch {
    return false;
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

function removeFile(file) {
  try {
    unlinkSync(file);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}

async function stop(pidFile) {
  const name = path.relative(root, pidFile);
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid) || startedAfterPidFile(pid, pidFile)) {
    log(`${name}: no live process of ours (stale pid file), removing it`);
    removeFile(pidFile);
    return;
  }
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, GRACE_MS)) {
    log(`${name}: pid ${pid} stopped`);
  } else {
    log(`${name}: pid ${pid} still running ${GRACE_MS / 1000} s after SIGTERM, sending SIGKILL`);
    signal(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  removeFile(pidFile);
}

const files = [...pidFiles(runDir)];
if (files.length === 0) {
  log('nothing to stop (no .run/**/*.pid)');
}
// Services first, the broker last: a service shutting down may still commit offsets or flush
// its outbox to Kafka.
const kafkaDir = path.join(runDir, 'kafka') + path.sep;
const isKafka = (file) => file.startsWith(kafkaDir);
await Promise.all(files.filter((file) => !isKafka(file)).map(stop));
await Promise.all(files.filter(isKafka).map(stop));
