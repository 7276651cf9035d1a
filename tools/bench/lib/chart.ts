/** A grouped bar chart as a standalone SVG: one group per connection count, one bar per series. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(options: { title: string; subtitle: string; groups: readonly string[]; series: readonly ChartSeries[]; unit: string; target?: number }): string {
  const width = 760;
  const height = 420;
  const margin = { top: 70, right: 20, bottom: 70, left: 80 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const max = Math.max(options.target ?? 0, ...options.series.flatMap((series) => series.values)) * 1.1 || 1;
  const step = 10 ** Math.floor(Math.log10(max / 5));
  const tick = [1, 2, 5, 10].map((factor) => factor * step).find((candidate) => max / candidate <= 8) ?? step * 10;
  const y = (value: number): number => margin.top + plotHeight - (value / max) * plotHeight;
  const groupWidth = plotWidth / options.groups.length;
  const barWidth = (groupWidth * 0.7) / options.series.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escape(options.title)}</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escape(options.subtitle)}</text>`,
  ];
  for (let value = 0; value <= max; value += tick) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" fill="#555">${value.toLocaleString('en-US')}</text>`);
  }
  parts.push(`<text transform="translate(20 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escape(options.unit)}</text>`);
  options.groups.forEach((group, groupIndex) => {
    const x0 = margin.left + groupIndex * groupWidth + groupWidth * 0.15;
    options.series.forEach((series, seriesIndex) => {
      const value = series.values[groupIndex] ?? 0;
      const x = x0 + seriesIndex * barWidth;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${(margin.top + plotHeight - y(value)).toFixed(1)}" fill="${series.color}"/>`);
      parts.push(`<text x="${(x + (barWidth - 4) / 2).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${Math.round(value).toLocaleString('en-US')}</text>`);
    });
    parts.push(`<text x="${margin.left + groupIndex * groupWidth + groupWidth / 2}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${escape(group)}</text>`);
  });
  if (options.target !== undefined) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(options.target).toFixed(1)}" y2="${y(options.target).toFixed(1)}" stroke="#c0392b" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${width - margin.right}" y="${(y(options.target) - 6).toFixed(1)}" text-anchor="end" fill="#c0392b">target ${options.target.toLocaleString('en-US')}/s</text>`);
  }
  options.series.forEach((series, index) => {
    const x = margin.left + index * 220;
    parts.push(`<rect x="${x}" y="${height - 26}" width="12" height="12" fill="${series.color}"/>`);
    parts.push(`<text x="${x + 18}" y="${height - 16}">${escape(series.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
