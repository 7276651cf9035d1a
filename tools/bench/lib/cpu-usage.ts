import { readFileSync, readdirSync } from 'node:fs';
import type { SystemUnderTest } from '@sc/testing';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Which group a process belongs to, from its stat line: a service by its pid, else PostgreSQL's
 * backends and Kafka's JVM by name, else "other" (the benchmark itself, other people's work on a
 * shared machine).
 */
function groupOf(pid: number, stat: string, services: ReadonlyMap<number, string>): string {
  const service = services.get(pid);
  if (service !== undefined) {
    return service;
  }
  if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') {
    return 'postgresql';
  }
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka') ? 'kafka' : 'other';
}

/** utime plus stime: fields 14 and 15 of stat(5), 11 and 12 after the command name. */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function snapshot(services: ReadonlyMap<number, string>): Map<number, { group: string; ticks: number }> {
  const processes = new Map<number, { group: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      processes.set(pid, { group: groupOf(pid, stat, services), ticks: ticksOf(stat) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return processes;
}

/** Busy ticks of the whole machine (all CPUs, /proc/stat): everything but idle and I/O wait. */
function machineBusyTicks(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user + nice + system + irq + softirq + steal;
}

/**
 * Starts measuring CPU time per group of processes (Linux /proc); the returned function gives
 * each group's share of one core, in percent, since the start, and `machine`, the busy share of
 * the whole machine. A process that ended in between (an autovacuum worker, say) is not in any
 * group, nor is the kernel's own work, so the groups can add up to less than `machine`.
 */
export function startCpuUsage(services: ReadonlyMap<number, string>): () => Record<string, number> {
  const startedAt = performance.now();
  const before = snapshot(services);
  const machineBefore = machineBusyTicks();
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    const totals = new Map<string, number>();
    for (const [pid, { group, ticks }] of snapshot(services)) {
      // A process started since (a database connection opened under load) counts from its start.
      const spent = ticks - (before.get(pid)?.ticks ?? 0);
      totals.set(group, (totals.get(group) ?? 0) + spent);
    }
    totals.set('machine', machineBusyTicks() - machineBefore);
    return Object.fromEntries(
      [...totals]
        .sort(([, a], [, b]) => b - a)
        .map(([group, ticks]) => [group, Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10]),
    );
  };
}

/** The groups a benchmark measures: each running service of `system` by its pid, and this process (the load client: feed, probes, streams). */
export function benchmarkProcessGroups(system: SystemUnderTest): Map<number, string> {
  const groups = new Map<number, string>([[process.pid, 'load client']]);
  for (const name of system.processes.keys()) {
    const pid = system.service(name).pid;
    if (pid !== undefined) {
      groups.set(pid, name);
    }
  }
  return groups;
}
