/**
 * The `browser` driver's options, checked without loading Playwright. The resolver makes them for
 * `--target browser+<target>` (`{ target: { driver, options } }`); a config that names the driver itself
 * must give the same shape.
 */
import { isRecord } from '../../src/core/json.ts';
import { unknownOptions, type OptionProblem } from '../options.ts';

export function checkBrowserDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  const problems = unknownOptions(options, ['target']);
  const target = options['target'];
  if (!isRecord(target) || typeof target['driver'] !== 'string' || target['driver'] === 'browser') {
    problems.push({
      path: 'target',
      message:
        'the browser driver wraps another target: use --target browser+<target> (e.g. browser+emulated-android) instead of a target with driver "browser"',
    });
  } else {
    problems.push(...unknownOptions(target, ['driver', 'options'], 'target.'));
  }
  return problems;
}
