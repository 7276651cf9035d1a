import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';

import {
  errorMessage,
  findRepoRoot,
  isLoopbackHost,
  log,
  pollUntil,
  runCommand,
  urlWithoutPassword,
} from './process';

export interface RedisEndpoint {
  url: string;
  startedHere: boolean;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const DEFAULT_PORT = 6379;
const READY_TIMEOUT_MS = 15_000;

/** PINGs REDIS_URL; starts a throwaway, non-persistent local redis-server when it does not answer. */
export async function ensureRedis(): Promise<RedisEndpoint> {
  const url = process.env.REDIS_URL ?? DEFAULT_URL;
  const shownUrl = urlWithoutPassword(url);
  if (await pingQuietly(url)) {
    log(`Redis answers on ${shownUrl}`);
    return { url, startedHere: false };
  }

  const { hostname, port } = new URL(url);
  if (!isLoopbackHost(hostname)) {
    throw new Error(`Redis at ${shownUrl} does not answer PING (REDIS_URL)`);
  }
  await startLocalRedis(port === '' ? DEFAULT_PORT : Number(port));
  await pollUntil(() => ping(url), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 250,
    describe: `Redis on ${shownUrl} (set REDIS_URL to use another server)`,
  });
  log(`Redis answers on ${shownUrl}`);
  return { url, startedHere: true };
}

export async function redisStatus(): Promise<{ url: string; answering: boolean }> {
  const url = process.env.REDIS_URL ?? DEFAULT_URL;
  return { url, answering: await pingQuietly(url) };
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // A probe only: failures surface as the rejected connect() or ping() below.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } finally {
    redis.disconnect();
  }
}

async function pingQuietly(url: string): Promise<boolean> {
  try {
    return await ping(url);
  } catch {
    return false;
  }
}

async function startLocalRedis(port: number): Promise<void> {
  const runDir = path.join(findRepoRoot(), '.run', 'redis');
  await mkdir(runDir, { recursive: true });
  const logFile = path.join(runDir, `redis-${port}.log`);
  log(`starting redis-server on 127.0.0.1:${port} (log ${logFile})`);
  try {
    await runCommand(
      'redis-server',
      [
        '--daemonize', 'yes',
        '--bind', '127.0.0.1', '-::1',
        '--port', String(port),
        '--save', '',
        '--appendonly', 'no',
        '--logfile', logFile,
        '--dir', runDir,
      ],
      { cwd: runDir },
    );
  } catch (error) {
    throw new Error(
      `Redis is not running and could not be started (apt-get install redis-server?): ${errorMessage(error)}`,
    );
  }
}
