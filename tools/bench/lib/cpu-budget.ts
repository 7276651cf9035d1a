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

/** Groups that are neither the application's own processes nor the machine. */
const SHARED_GROUPS = new Set(['machine', 'postgresql', 'kafka', 'load client', 'other']);

/** CPU per stored message of the product and of the floor pipeline measured beside it, and their ratios. */
export interface FloorComparison {
  /** Milliseconds of CPU per stored message by process group, and `machine`. */
  readonly product: Record<string, number>;
  readonly floor: Record<string, number>;
  /**
   * product / floor: the whole machine; `measured`, every named process group (the machine less
   * `other`, which on a shared machine is mostly other people's work); PostgreSQL; Kafka; and
   * `application` (the product's services against the floor's own processes).
   */
  readonly ratio: { machine: number; measured: number; postgresql: number; kafka: number; application: number };
}

export function compareWithFloor(product: CpuBudget, floor: CpuBudget): FloorComparison {
  const sumOf = (ms: Record<string, number>, include: (group: string) => boolean): number =>
    Object.entries(ms)
      .filter(([group]) => include(group))
      .reduce((sum, [, value]) => sum + value, 0);
  const application = (ms: Record<string, number>): number => sumOf(ms, (group) => !SHARED_GROUPS.has(group));
  const measured = (ms: Record<string, number>): number => sumOf(ms, (group) => group !== 'machine' && group !== 'other');
  const ratio = (a: number, b: number): number => (b > 0 ? round(a / b, 2) : Number.POSITIVE_INFINITY);
  const { msPerMessage: p } = product;
  const { msPerMessage: f } = floor;
  return {
    product: p,
    floor: f,
    ratio: {
      machine: ratio(p.machine ?? 0, f.machine ?? 0),
      measured: ratio(measured(p), measured(f)),
      postgresql: ratio(p.postgresql ?? 0, f.postgresql ?? 0),
      kafka: ratio(p.kafka ?? 0, f.kafka ?? 0),
      application: ratio(application(p), application(f)),
    },
  };
}

/** Lines for a benchmark's output: each side's CPU per message by process, then the ratios. */
export function describeFloorComparison({ product, floor, ratio }: FloorComparison, unit: string): string {
  const side = (ms: Record<string, number>): string => {
    const { machine, ...groups } = ms;
    return `machine ${machine?.toFixed(3)} (${Object.entries(groups)
      .map(([group, value]) => `${group} ${value.toFixed(3)}`)
      .join(', ')})`;
  };
  return [
    `CPU ms per ${unit}, product: ${side(product)}`,
    `CPU ms per ${unit}, floor:   ${side(floor)}`,
    `product / floor: machine ${ratio.machine}x, measured processes ${ratio.measured}x, application processes ${ratio.application}x, postgresql ${ratio.postgresql}x, kafka ${ratio.kafka}x`,
  ].join('\n');
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
