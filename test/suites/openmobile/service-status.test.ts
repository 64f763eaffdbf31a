/**
 * A profile service answering a status the adapter protocol gives no meaning (not 200, 404 or 5xx): the
 * request fails, and its code is OM-CHOICE-SERVICE-STATUS (2, 31, 33 or 30), which a client may decide per
 * status (docs/spec/verdict-audit.md). Each option passes the vectors and the fuzzer, and a client that
 * answers two such statuses two ways passes the run's consistency check; a success, or a code of none of
 * the options, still fails.
 */
import { describe, expect, it } from 'vitest';
import { optionsOf } from '../../../suites/openmobile/choices.ts';
import { runInProcess } from '../../e2e/helpers.ts';
import { alteringAnswers } from './wrapped-client.ts';

const GREP = ['om:rc-service-status-'];

function target(name: string, choices: Record<string, string> = {}) {
  return { name, driver: 'emulated', options: { platform: 'android', choices } };
}

describe('OM-CHOICE-SERVICE-STATUS', () => {
  it('passes each option on the 400 and 401 vectors, and records it', { timeout: 120_000 }, async () => {
    const options = optionsOf('OM-CHOICE-SERVICE-STATUS');
    expect(options).toEqual(['2', '31', '33', '30']);
    const targets = options.map((o) => target(`status-${o}`, { 'OM-CHOICE-SERVICE-STATUS': o }));
    const { outcome, results } = await runInProcess({ targets }, { grep: GREP });
    const cases = results.filter((r) => r.id.startsWith('om:rc-service-status-'));
    // Two vectors on the Android URL and intent methods, per target.
    expect(cases).toHaveLength(options.length * 4);
    for (const r of cases) {
      if (r.id.endsWith('@android-intent')) {
        // The intent method reports the code (EXTRA_RESULT): the choice shows.
        expect(r.verdict, `${r.target} ${r.id}: ${r.message}`).toBe('informational');
        expect(r.choices['OM-CHOICE-SERVICE-STATUS']).toBe(r.target.replace('status-', ''));
      } else {
        // The URL method has no result channel: a failure dialog and the state unchanged.
        expect(r.verdict, `${r.target} ${r.id}: ${r.message}`).toBe('pass');
      }
    }
    expect(results.filter((r) => r.id === 'om:run-choice-consistency').map((r) => r.verdict)).toEqual(
      options.map(() => 'pass'),
    );
    expect(outcome.exitCode).toBe(0);
  });

  it('passes a client that answers one such status 33 and the other 2', { timeout: 120_000 }, async () => {
    let first = true;
    const drivers = alteringAnswers((observed) => {
      if (observed.result !== 2 || !first) return observed;
      first = false;
      return { ...observed, result: 33 };
    });
    const { outcome, results } = await runInProcess({ targets: [target('per-status')] }, { grep: GREP }, drivers);
    const shown = results
      .filter((r) => r.id.startsWith('om:rc-service-status-') && r.id.endsWith('@android-intent'))
      .map((r) => r.choices['OM-CHOICE-SERVICE-STATUS'])
      .sort();
    expect(first).toBe(false);
    expect(shown).toEqual(['2', '33']);
    const consistency = results.find((r) => r.id === 'om:run-choice-consistency');
    expect(consistency?.verdict, consistency?.message).toBe('pass');
    expect(outcome.exitCode).toBe(0);
  });

  it('still fails a code of none of the options, and a success', { timeout: 120_000 }, async () => {
    for (const result of [32, 0]) {
      const drivers = alteringAnswers((observed) => (observed.result === 2 ? { ...observed, result } : observed));
      const { results } = await runInProcess({ targets: [target('wrong')] }, { grep: GREP }, drivers);
      const cases = results.filter((r) => r.id.startsWith('om:rc-service-status-') && r.id.endsWith('@android-intent'));
      expect(cases).toHaveLength(2);
      for (const r of cases) {
        expect(r.verdict, `${r.id}: ${r.message}`).toBe('fail');
        expect(r.category).toBe('wrong-result-code');
      }
    }
  });
});
