import { Client } from 'pg';

import {
  errorMessage,
  isLoopbackHost,
  isTcpPortOpen,
  listDirectories,
  log,
  pollUntil,
  runCommand,
  urlWithoutPassword,
} from './process';

export interface PostgresEndpoint {
  adminUrl: string;
  startedHere: boolean;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_PORT = 5432;
const READY_TIMEOUT_MS = 30_000;
const DEBIAN_CLUSTERS_DIR = '/etc/postgresql';

/** Checks DATABASE_ADMIN_URL with `SELECT 1`; starts the local Debian cluster when nothing listens. */
export async function ensurePostgres(): Promise<PostgresEndpoint> {
  const adminUrl = process.env.DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const shownUrl = urlWithoutPassword(adminUrl);
  if (await selectOneQuietly(adminUrl)) {
    log(`PostgreSQL answers on ${shownUrl}`);
    return { adminUrl, startedHere: false };
  }

  const { hostname, port } = new URL(adminUrl);
  const tcpPort = port === '' ? DEFAULT_PORT : Number(port);
  let startedHere = false;
  if (!(await isTcpPortOpen(hostname, tcpPort))) {
    if (!isLoopbackHost(hostname)) {
      throw new Error(`PostgreSQL at ${shownUrl} does not accept connections (DATABASE_ADMIN_URL)`);
    }
    await startLocalCluster(shownUrl);
    startedHere = true;
  }
  // Also covers a server that listens but is still starting up or recovering.
  await pollUntil(() => selectOne(adminUrl), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 500,
    describe: `PostgreSQL on ${shownUrl} (set DATABASE_ADMIN_URL to use another server)`,
  });
  log(`PostgreSQL answers on ${shownUrl}`);
  return { adminUrl, startedHere };
}

export async function postgresStatus(): Promise<{ adminUrl: string; answering: boolean }> {
  const adminUrl = process.env.DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  return { adminUrl, answering: await selectOneQuietly(adminUrl) };
}

async function selectOne(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  // A probe only: a dropped connection shows up as the rejected query below.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ one: number }>('SELECT 1 AS one');
    return result.rows[0]?.one === 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function selectOneQuietly(url: string): Promise<boolean> {
  try {
    return await selectOne(url);
  } catch {
    return false;
  }
}

async function startLocalCluster(shownUrl: string): Promise<void> {
  const version = listDirectories(DEBIAN_CLUSTERS_DIR)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (version === undefined) {
    throw new Error(
      `PostgreSQL does not answer on ${shownUrl} and no local cluster exists under ${DEBIAN_CLUSTERS_DIR}: ` +
        'install postgresql (apt-get install postgresql) or set DATABASE_ADMIN_URL',
    );
  }
  log(`starting PostgreSQL cluster ${version}/main`);
  try {
    await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { cwd: '/' });
  } catch (error) {
    throw new Error(`PostgreSQL does not answer on ${shownUrl} and could not be started: ${errorMessage(error)}`);
  }
}
