/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with
 * labels, plus gauges computed at scrape time. Enough for this system's metrics without a
 * dependency; labels must never carry patient data.
 */
type Labels = Record<string, string>;

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((name) => `${name}="${labels[name].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

const withLabels = (name: string, key: string): string => (key ? `${name}{${key}}` : name);

interface Metric {
  render(): Promise<string[]> | string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values].map(([key, value]) => `${withLabels(this.name, key)} ${value}`)];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    const series = this.series.get(key) ?? { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((bound, index) => {
      if (value <= bound) {
        series.counts[index] += 1;
      }
    });
    series.sum += value;
    series.count += 1;
    this.series.set(key, series);
  }

  /** Starts a timer; calling the result records the elapsed seconds. */
  startTimer(labels: Labels = {}): (extra?: Labels) => number {
    const started = process.hrtime.bigint();
    return (extra = {}) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.observe(seconds, { ...labels, ...extra });
      return seconds;
    };
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, series] of this.series) {
      const prefix = key ? `${key},` : '';
      this.buckets.forEach((bound, index) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[index]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(`${withLabels(`${this.name}_sum`, key)} ${series.sum}`);
      lines.push(`${withLabels(`${this.name}_count`, key)} ${series.count}`);
    }
    return lines;
  }
}

/** A gauge whose samples are read when Prometheus scrapes (e.g. a backlog counted in the database). */
export class CollectedGauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: () => Promise<Array<{ labels?: Labels; value: number }>>,
  ) {}

  async render(): Promise<string[]> {
    const header = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    try {
      const samples = await this.collect();
      return [...header, ...samples.map((sample) => `${withLabels(this.name, labelKey(sample.labels ?? {}))} ${sample.value}`)];
    } catch {
      // A failing source (database down) must not break the whole scrape.
      return header;
    }
  }
}

/** Latency buckets in seconds, from a millisecond to ten seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(name, () => new Counter(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.register(name, () => new Histogram(name, help, buckets));
  }

  collectedGauge(name: string, help: string, collect: () => Promise<Array<{ labels?: Labels; value: number }>>): CollectedGauge {
    return this.register(name, () => new CollectedGauge(name, help, collect));
  }

  async render(): Promise<string> {
    const blocks = await Promise.all([...this.metrics.values()].map((metric) => metric.render()));
    return `${blocks.flat().join('\n')}\n`;
  }

  private register<M extends Metric>(name: string, create: () => M): M {
    const existing = this.metrics.get(name);
    if (existing) {
      return existing as M;
    }
    const metric = create();
    this.metrics.set(name, metric);
    return metric;
  }
}
