/**
 * What a benchmark step's measured CPU says about a throughput target: the CPU time each group of
 * processes spent per message, and what the whole machine's CPU per message implies. A target
 * that needs more cores than the machine has cannot be met by tuning concurrency or batching;
 * only by spending less CPU per message.
 */
export interface CpuBudget {
  /** Milliseconds of CPU per message: each process group's, and `machine` for everything busy. */
  readonly msPerMessage: Record<string, number>;
  /** Cores the machine's CPU per message would keep busy at the target rate. */
  readonly coresForTarget: number;
  /** The rate at which that CPU per message would keep every core of this machine busy. */
  readonly cpuBoundPerSecond: number;
}

/**
 * @param percentOfCore each group's share of one core over the step, and `machine` (startCpuUsage)
 * @param perSecond messages handled per second over the same step
 */
export function cpuBudget(percentOfCore: Readonly<Record<string, number>>, perSecond: number, cores: number, targetPerSecond: number): CpuBudget {
  if (perSecond <= 0) {
    return { msPerMessage: {}, coresForTarget: Number.POSITIVE_INFINITY, cpuBoundPerSecond: 0 };
  }
  const msPerMessage = Object.fromEntries(Object.entries(percentOfCore).map(([group, percent]) => [group, round((percent / 100) * (1000 / perSecond), 3)]));
  const machineMs = msPerMessage.machine ?? 0;
  return {
    msPerMessage,
    coresForTarget: round((targetPerSecond * machineMs) / 1000, 2),
    cpuBoundPerSecond: machineMs > 0 ? Math.round((cores * 1000) / machineMs) : Number.POSITIVE_INFINITY,
  };
}

/** One line for a benchmark's output: `CPU ms per message: machine 3.082 (postgresql 0.784, ...); cores full at 649/s, 5000/s needs 15.41 cores`. */
export function describeCpuBudget({ msPerMessage, coresForTarget, cpuBoundPerSecond }: CpuBudget, unit: string, targetPerSecond: number): string {
  const { machine, ...groups } = msPerMessage;
  const parts = Object.entries(groups).map(([group, ms]) => `${group} ${ms.toFixed(3)}`);
  return `CPU ms per ${unit}: machine ${machine?.toFixed(3)} (${parts.join(', ')}); cores full at ${cpuBoundPerSecond}/s, ${targetPerSecond}/s needs ${coresForTarget} cores`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
