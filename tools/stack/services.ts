import path from 'node:path';
import { findRepoRoot, log, pidFileNamesLiveProcess, sleep, startDetached, stopProcessFromPidFile } from './process';

/** The local stack's services and their default ports (each overridable by env, see README). */
export const SERVICE_PORTS = {
  'adt-ingest': 3001,
  'pharmacy-alert': 3002,
  'care-gap': 3003,
  referral: 3004,
  notifier: 3005,
} as const;

export type StackService = keyof typeof SERVICE_PORTS;
export const STACK_SERVICES = Object.keys(SERVICE_PORTS) as StackService[];
export const MLLP_PORT = 2575;

const serviceDir = (name: StackService): string => path.join(findRepoRoot(), '.run', 'services', name);
export const servicePidFile = (name: StackService): string => path.join(serviceDir(name), `${name}.pid`);
export const serviceLogFile = (name: StackService): string => path.join(serviceDir(name), `${name}.log`);
export const serviceUrl = (name: StackService, pathname = ''): string => `http://127.0.0.1:${SERVICE_PORTS[name]}${pathname}`;

async function healthy(name: StackService): Promise<boolean> {
  try {
    const response = await fetch(serviceUrl(name, '/health'), { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts every service not already answering, detached (they outlive this command), and waits
 * until each reports healthy. Returns the ones it started.
 */
export async function ensureServices(timeoutMs = 90_000): Promise<StackService[]> {
  const root = findRepoRoot();
  const started: StackService[] = [];
  for (const name of STACK_SERVICES) {
    if ((await healthy(name)) || pidFileNamesLiveProcess(servicePidFile(name)) !== undefined) {
      continue;
    }
    const entry = path.join(root, 'dist', 'apps', name, 'src', 'main.js');
    await startDetached(process.execPath, ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', entry], {
      cwd: root,
      logFile: serviceLogFile(name),
      pidFile: servicePidFile(name),
    });
    started.push(name);
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of STACK_SERVICES) {
    while (!(await healthy(name))) {
      if (Date.now() > deadline) {
        throw new Error(`${name} not healthy after ${timeoutMs} ms; see ${serviceLogFile(name)}`);
      }
      await sleep(250);
    }
  }
  if (started.length > 0) {
    log(`started ${started.join(', ')}`);
  }
  return started;
}

export async function stopServices(names: readonly StackService[] = STACK_SERVICES): Promise<void> {
  await Promise.all(names.map((name) => stopProcessFromPidFile(servicePidFile(name))));
}
