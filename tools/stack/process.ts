import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';

const ROOT_PACKAGE_NAME = 'synchronized-care';

export function log(message: string): void {
  process.stderr.write(`stack: ${message}\n`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The same source runs as tools/stack/*.ts under jest and as dist/tools/stack/*.js after the
 * build, so the depth below the root differs: walk up to our own package.json instead.
 */
export function findRepoRoot(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    if (readPackageName(path.join(dir, 'package.json')) === ROOT_PACKAGE_NAME) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json named "${ROOT_PACKAGE_NAME}" above ${startDir}`);
    }
    dir = parent;
  }
}

function readPackageName(packageJsonPath: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string') {
      return parsed.name;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with its output captured (never inherited: CI waits on inherited fds). */
export function runCommand(command: string, args: readonly string[], options: { cwd: string }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    // 'exit' rather than 'close': a daemonizing command (redis-server --daemonize) may leave
    // a grandchild holding the pipes open.
    child.on('exit', (code, signal) => {
      const result = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === 0) {
        resolve(result);
        return;
      }
      const output = lastLines(`${result.stdout}\n${result.stderr}`, 20);
      reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${String(code)}`}):\n${output}`));
    });
  });
}

export interface DetachedProcess {
  pid: number;
  /** Resolves when the process exits; only meaningful while this Node process is alive. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running process in its own session with stdout and stderr appended to logFile,
 * so it outlives this process and holds none of our file descriptors (an inherited fd makes CI
 * wait for the broker to exit).
 */
export async function startDetached(
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; pidFile: string },
): Promise<DetachedProcess> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: options.cwd, detached: true, stdio: ['ignore', logFd, logFd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () =>
        child.pid === undefined ? reject(new Error(`${command} started without a pid`)) : resolve(child.pid),
      );
      child.once('error', (error) => reject(new Error(`cannot start ${command}: ${error.message}`)));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    child.unref();
    writeFileSync(options.pidFile, `${pid}\n`);
    return { pid, exited };
  } finally {
    closeSync(logFd);
  }
}

export function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LINUX_CLOCK_TICKS_PER_SECOND = 100;
const START_TIME_TOLERANCE_MS = 5_000;

/**
 * PIDs wrap (pid_max is 32768 here) and .run/ survives reboots, so a pid file can name an
 * unrelated process. One that started after the pid file was written cannot be ours.
 * Linux only; elsewhere the pid is trusted.
 */
export function pidFileNamesLiveProcess(pidFile: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined || !isProcessAlive(pid)) {
    return undefined;
  }
  const startedAtMs = linuxProcessStartMs(pid);
  if (startedAtMs !== undefined && startedAtMs > statSync(pidFile).mtimeMs + START_TIME_TOLERANCE_MS) {
    return undefined;
  }
  return pid;
}

function linuxProcessStartMs(pid: number): number | undefined {
  try {
    const bootTimeLine = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('btime '));
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields from the last ')'.
    const fieldsAfterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fieldsAfterComm[19]);
    const bootTimeSeconds = Number(bootTimeLine?.split(' ')[1]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(bootTimeSeconds)) {
      return undefined;
    }
    return bootTimeSeconds * 1000 + (startTicks * 1000) / LINUX_CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL; removes the pid file. Returns the pid it stopped. */
export async function stopProcessFromPidFile(pidFile: string, graceMs = 20_000): Promise<number | undefined> {
  const pid = pidFileNamesLiveProcess(pidFile);
  if (pid !== undefined) {
    sendSignal(pid, 'SIGTERM');
    if (!(await waitForExit(pid, graceMs))) {
      log(`pid ${pid} still running ${graceMs / 1000} s after SIGTERM, sending SIGKILL`);
      sendSignal(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  removeFile(pidFile);
  return pid;
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(100);
  }
  return true;
}

export function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
}

/**
 * A lock held by this process while it starts something, so that two starters (`npm run up`
 * and a test run) cannot both launch a broker. A lock left by a dead process is taken over.
 */
export async function withLockFile<T>(lockFile: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      if (isStaleLock(lockFile)) {
        removeFile(lockFile);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new Error(`timed out waiting for ${lockFile} (held by pid ${String(readPidFile(lockFile))})`);
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    removeFile(lockFile);
  }
}

const FRESH_LOCK_MS = 5_000;

function isStaleLock(lockFile: string): boolean {
  try {
    if (readPidFile(lockFile) === undefined) {
      // Created but not yet written by its owner, unless it has been empty for a while.
      return Date.now() - statSync(lockFile).mtimeMs > FRESH_LOCK_MS;
    }
    return pidFileNamesLiveProcess(lockFile) === undefined;
  } catch {
    // Released while we looked: try to take it again.
    return false;
  }
}

export function isTcpPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Polls `probe` until it resolves true; the last probe error goes into the timeout message. */
export async function pollUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; describe: string; stopEarly?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no answer';
  for (;;) {
    try {
      if (await probe()) {
        return;
      }
    } catch (error) {
      lastError = errorMessage(error);
    }
    const reasonToStop = options.stopEarly?.();
    if (reasonToStop !== undefined) {
      throw new Error(`${options.describe}: ${reasonToStop}`);
    }
    if (Date.now() >= deadline) {
      throw new Error(`${options.describe}: not ready after ${options.timeoutMs / 1000} s (last error: ${lastError})`);
    }
    await sleep(options.intervalMs);
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

export function listDirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** For log lines and errors: connection URLs may carry a password. */
export function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
