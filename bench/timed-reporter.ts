/**
 * A reporter that times a plan's cases, for the benches: wall time and this process's CPU time from the
 * first case (after `onBegin`, so loading the vectors and starting the targets are not counted) to the last
 * (before `onEnd` writes the reports' last files). Everything is handed on to `inner`.
 */
import type { Reporter } from '../src/core/reporter.ts';

export interface TimedReporter {
  reporter: Reporter;
  /** Wall milliseconds and CPU seconds from the first case to the last (after the run ended). */
  elapsed(): { wallMs: number; cpuSeconds: number };
}

export function timedReporter(inner: Required<Pick<Reporter, 'onBegin' | 'onCaseEnd' | 'onEnd'>>): TimedReporter {
  let first = 0;
  let last = 0;
  let cpu = process.cpuUsage();
  let used = process.cpuUsage(cpu);
  return {
    reporter: {
      onBegin: async (run, targets) => {
        await inner.onBegin(run, targets);
        first = performance.now();
        cpu = process.cpuUsage();
      },
      onCaseEnd: (result) => inner.onCaseEnd(result),
      onEnd: async (summary) => {
        last = performance.now();
        used = process.cpuUsage(cpu);
        await inner.onEnd(summary);
      },
    },
    elapsed: () => ({ wallMs: last - first, cpuSeconds: (used.user + used.system) / 1e6 }),
  };
}
