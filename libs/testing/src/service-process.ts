import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { eventually } from './eventually';

export const SERVICES = ['adt-ingest', 'pharmacy-alert', 'care-gap', 'referral', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The checkout's root, whether this runs from libs/ under jest or from dist/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nest-cli.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('repository root (nest-cli.json) not found');
    }
    dir = parent;
  }
  return dir;
}

/**
 * A service run as a real child process from dist/ (as in production), so tests can SIGKILL it
 * and start it again. Output goes to a log file, never to the test's own stdout.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: ServiceName,
    private readonly env: NodeJS.ProcessEnv,
    readonly httpPort: number,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const entry = path.join(repoRoot(), 'dist', 'apps', this.name, 'src', 'main.js');
    // For profiling a service under a benchmark, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles" (not allowed in NODE_OPTIONS).
    const profiling = (process.env.SC_SERVICE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    const child = spawn(process.execPath, ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', ...profiling, entry], {
      env: { ...this.env, HTTP_PORT: String(this.httpPort), SERVICE_NAME: this.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let exitedEarly = false;
    void this.exited.then(() => {
      exitedEarly = true;
    });
    await eventually(async () => {
      if (exitedEarly) {
        throw new Error(`${this.name} exited during start; see ${this.logFile}`);
      }
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/health`);
      return response.ok ? true : undefined;
    }, timeoutMs, 200).catch((error: unknown) => {
      throw new Error(`${this.name} did not become healthy: ${error instanceof Error ? error.message : String(error)}; log ${this.logFile}`);
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    this.child.kill(signal);
    await this.exited;
  }

  url(pathname: string): string {
    return `http://127.0.0.1:${this.httpPort}${pathname}`;
  }
}
