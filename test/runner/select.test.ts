import { describe, expect, it } from 'vitest';
import type { PlannedCase } from '../../src/core/suite.ts';
import { orderCases, selectCases } from '../../src/runner/select.ts';

const c = (id: string, requirements: string[]): PlannedCase => ({
  id,
  title: id,
  area: 'x',
  requirements,
  route: { platform: 'android', method: 'url' },
  needs: [],
});
const cases = [
  c('OM-A@android-url', ['OM-LEN-USERNAME']),
  c('OM-A-2@android-url', ['OM-CODE-20-DOMAIN']),
  c('OM-B@android-url', []),
];

describe('selectCases', () => {
  it('keeps everything without a pattern', () => expect(selectCases(cases, [])).toHaveLength(3));
  it('matches requirement IDs and parts of ids', () => {
    expect(selectCases(cases, ['OM-LEN']).map((x) => x.id)).toEqual(['OM-A@android-url']);
    expect(selectCases(cases, ['OM-A']).map((x) => x.id)).toEqual(['OM-A@android-url', 'OM-A-2@android-url']);
  });
  it('selects exactly one case for an exact case id', () => {
    expect(selectCases(cases, ['OM-A@android-url']).map((x) => x.id)).toEqual(['OM-A@android-url']);
  });
});

describe('orderCases', () => {
  const many = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, area: i === 40 ? 'regressions' : 'x' }));
  it('is the same order for the same seed and another for another seed', () => {
    expect(orderCases(many, 7).map((c) => c.id)).toEqual(orderCases(many, 7).map((c) => c.id));
    expect(orderCases(many, 7).map((c) => c.id)).not.toEqual(orderCases(many, 8).map((c) => c.id));
  });
  it('keeps every case and runs regressions first', () => {
    const ordered = orderCases(many, 3);
    expect(ordered[0]?.id).toBe('c40');
    expect([...ordered.map((c) => c.id)].sort()).toEqual([...many.map((c) => c.id)].sort());
  });
});
