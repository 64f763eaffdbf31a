/**
 * `npm ci` prints no install-scripts warning: every package of the lockfile that has an install script
 * (npm 11 blocks those unless package.json `allowScripts` decides) is decided in package.json, each with a
 * reason in README.md. test/e2e/install.test.ts runs a real offline install and checks its output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/helpers.ts';

const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean; name?: string }>;
};
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};

describe('install scripts', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([where, entry]) => where !== '' && entry.hasInstallScript === true)
    .map(([where, entry]) => entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));

  it('every package with an install script is decided in package.json allowScripts', () => {
    expect(withScripts.length).toBeGreaterThan(0);
    const undecided = withScripts.filter((name) => typeof pkg.allowScripts?.[name] !== 'boolean');
    expect(undecided).toEqual([]);
  });

  it('no decision is stale, and README.md gives the reason for each', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const name of Object.keys(pkg.allowScripts ?? {})) {
      expect(withScripts, `allowScripts.${name}: no package of the lockfile has that install script`).toContain(name);
      expect(
        readme,
        `README.md says why ${name}'s install script is ${pkg.allowScripts?.[name] ? 'run' : 'denied'}`,
      ).toContain(`\`${name}\``);
    }
  });
});
