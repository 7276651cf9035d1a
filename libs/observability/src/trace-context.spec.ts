import { childSpan, formatTraceparent, parseTraceparent, randomHexId } from './trace-context';

describe('trace context ids', () => {
  it('cuts distinct W3C-sized hex ids, also across refills of its random pool', () => {
    const spans = Array.from({ length: 2000 }, () => randomHexId(8));
    const traces = Array.from({ length: 600 }, () => randomHexId(16));
    expect(spans.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(traces.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(new Set(spans).size).toBe(spans.length);
    expect(new Set(traces).size).toBe(traces.length);
  });

  it('starts a sampled trace without a parent and keeps the parent trace otherwise', () => {
    const root = childSpan(undefined);
    const child = childSpan(root);
    expect(root.sampled).toBe(true);
    expect(child.traceId).toBe(root.traceId);
    expect(child.spanId).not.toBe(root.spanId);
    expect(parseTraceparent(formatTraceparent(child))).toEqual(child);
  });
});
