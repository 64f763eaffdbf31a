import { describe, expect, it } from 'vitest';
import type { Reporter } from '../../src/core/reporter.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { ReporterMultiplexer } from '../../src/reporters/multiplexer.ts';
import { MemoryStream, TARGETS, makeCase, runInfo, summaryOf } from './fixtures.ts';

function recorder(log: string[], name: string): Reporter {
  return {
    onBegin: () => void log.push(`${name}.onBegin`),
    onCaseEnd: (r: CaseResult) => void log.push(`${name}.onCaseEnd ${r.id}`),
    onTargetError: (t: string) => void log.push(`${name}.onTargetError ${t}`),
    onEnd: () => void log.push(`${name}.onEnd`),
  };
}

describe('ReporterMultiplexer', () => {
  it('calls every hook of every reporter in order', async () => {
    const log: string[] = [];
    const mux = new ReporterMultiplexer([
      { name: 'a', reporter: recorder(log, 'a') },
      { name: 'b', reporter: recorder(log, 'b') },
    ]);
    const c = makeCase({ id: 'x' });
    await mux.onBegin(runInfo('/tmp/none'), TARGETS);
    mux.onCaseEnd(c);
    mux.onTargetError('emulated-ios', 'gone');
    await mux.onEnd(summaryOf([c]));
    expect(log).toEqual([
      'a.onBegin',
      'b.onBegin',
      'a.onCaseEnd x',
      'b.onCaseEnd x',
      'a.onTargetError emulated-ios',
      'b.onTargetError emulated-ios',
      'a.onEnd',
      'b.onEnd',
    ]);
  });

  it('isolates a throwing reporter and reports it once per hook', async () => {
    const log: string[] = [];
    const stderr = new MemoryStream();
    const broken: Reporter = {
      onBegin: () => {
        throw new Error('cannot open file');
      },
      onCaseEnd: () => {
        throw new Error('disk full');
      },
      onEnd: async () => {
        await Promise.resolve();
        throw new Error('flush failed');
      },
    };
    const mux = new ReporterMultiplexer(
      [
        { name: 'broken', reporter: broken },
        { name: 'good', reporter: recorder(log, 'good') },
      ],
      { stderr },
    );
    const cases = [makeCase({ id: 'c1' }), makeCase({ id: 'c2' }), makeCase({ id: 'c3' })];
    await mux.onBegin(runInfo('/tmp/none'), TARGETS);
    for (const c of cases) mux.onCaseEnd(c);
    await mux.onEnd(summaryOf(cases));

    expect(log).toEqual(['good.onBegin', 'good.onCaseEnd c1', 'good.onCaseEnd c2', 'good.onCaseEnd c3', 'good.onEnd']);
    expect(stderr.text.split('\n').filter(Boolean)).toEqual([
      'reporter broken failed in onBegin: cannot open file',
      'reporter broken failed in onCaseEnd: disk full',
      'reporter broken failed in onEnd: flush failed',
    ]);
    expect(mux.failures().get('broken.onCaseEnd')).toBe(3);
  });

  it('awaits every async onEnd before resolving', async () => {
    const done: string[] = [];
    const slow = (name: string, ms: number): Reporter => ({
      onEnd: () => new Promise<void>((resolve) => setTimeout(() => (done.push(name), resolve()), ms)),
    });
    const mux = new ReporterMultiplexer([
      { name: 'slow', reporter: slow('slow', 30) },
      { name: 'fast', reporter: slow('fast', 1) },
    ]);
    await mux.onEnd(summaryOf([]));
    expect(done).toEqual(['slow', 'fast']);
  });

  it('redacts the printed error message', async () => {
    const stderr = new MemoryStream();
    const mux = new ReporterMultiplexer(
      [
        {
          name: 'leaky',
          reporter: {
            onCaseEnd: () => {
              throw new Error('could not write hunter2');
            },
          },
        },
      ],
      { stderr, redact: (s) => s.replaceAll('hunter2', '***') },
    );
    mux.onCaseEnd(makeCase());
    expect(stderr.text).toBe('reporter leaky failed in onCaseEnd: could not write ***\n');
  });
});
