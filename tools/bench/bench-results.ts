import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '../stack/process';

export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] ?? 0, count: sorted.length };
}

/** The machine a figure was measured on, saved with every result. */
export function machine(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export interface Bar {
  label: string;
  value: number;
}

/** A plain SVG bar chart (no chart library): one group of bars per series. */
export function barChartSvg(title: string, unit: string, series: Array<{ name: string; bars: Bar[] }>): string {
  const width = 760;
  const rowHeight = 22;
  const left = 230;
  const rows = series.flatMap((group) => group.bars.map((bar) => ({ ...bar, group: group.name })));
  const height = 60 + rows.length * rowHeight + series.length * 10;
  const max = Math.max(1, ...rows.map((row) => row.value));
  const colours = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1'];
  let y = 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${title}</text>`,
  ];
  series.forEach((group, index) => {
    for (const bar of group.bars) {
      const barWidth = Math.max(1, ((width - left - 90) * bar.value) / max);
      parts.push(`<text x="10" y="${y + 14}">${group.name}: ${bar.label}</text>`);
      parts.push(`<rect x="${left}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="15" fill="${colours[index % colours.length]}"/>`);
      parts.push(`<text x="${(left + barWidth + 6).toFixed(1)}" y="${y + 14}">${bar.value.toFixed(bar.value < 10 ? 2 : 0)} ${unit}</text>`);
      y += rowHeight;
    }
    y += 10;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes `bench/results/<name>.json` and `.svg`; returns the paths. */
export function saveResults(name: string, result: unknown, svg: string): { json: string; svg: string } {
  const dir = path.join(findRepoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const chart = path.join(dir, `${name}.svg`);
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(chart, `${svg}\n`);
  return { json, svg: chart };
}
