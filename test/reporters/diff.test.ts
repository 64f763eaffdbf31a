import { describe, expect, it } from 'vitest';
import { differences, expectedVsObserved, oneLine } from '../../src/reporters/diff.ts';

describe('expected vs observed', () => {
  it('lists the fields the expectation states that differ, nested, absent ones included', () => {
    expect(
      differences(
        { status: 404, state: { username: 'bob', domain: 'acme.example' }, profiles: [{ pin: null }] },
        { status: 200, body: '{}', state: { username: 'bob', domain: 'other.example' }, profiles: [{}] },
      ),
    ).toEqual([
      { path: 'status', expected: 404, observed: 200 },
      { path: 'state.domain', expected: 'acme.example', observed: 'other.example' },
      { path: 'profiles[0].pin', expected: null, observed: undefined },
    ]);
  });

  it('finds a field in a wrapped observation, and compares with the nearest of several permitted outcomes', () => {
    const observed = { provision: { handled: true, result: 23 }, state: { username: 'u' } };
    expect(differences({ handled: false, state: { username: 'u' } }, observed)).toEqual([
      { path: 'handled', expected: false, observed: true },
    ]);
    const alternatives = [
      { handled: true, result: 0, state: { username: 'v' } },
      { handled: true, result: 23, state: { username: 'w' } },
    ];
    expect(differences(alternatives, observed)).toEqual([{ path: 'state.username', expected: 'w', observed: 'u' }]);
  });

  it('shows the differences first, then both objects in full', () => {
    const text = expectedVsObserved({ status: 404 }, { status: 200, body: 'x'.repeat(500) });
    expect(text.split('\n').slice(0, 3)).toEqual(['differences (1):', '  status: expected 404, observed 200', '']);
    expect(text).toContain(
      `expected:\n{\n  "status": 404\n}\n\nobserved:\n{\n  "status": 200,\n  "body": "${'x'.repeat(500)}"`,
    );
    expect(expectedVsObserved(undefined, undefined)).toBe('');
  });

  it('keeps a one-line summary short', () => {
    expect(oneLine('a'.repeat(500))).toHaveLength(200);
    expect(oneLine('first\nsecond')).toBe('first …');
    expect(oneLine('short')).toBe('short');
  });
});
