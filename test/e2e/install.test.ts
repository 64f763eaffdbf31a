/**
 * The harness installed as a dependency of another project, as a lab would: `npm pack`, then an install of
 * the tarball into a folder of its own, then `npx harness run --config lab.config.ts` there.
 *
 * Offline: the tarball's dependencies come from npm's cache, filled by this repository's own `npm ci`. npm
 * cannot resolve `npm install <tarball>` there without the registry (it needs each dependency's metadata,
 * which `npm ci` does not cache), so the lab gets a lockfile: this repository's, less the development
 * dependencies, plus the tarball; `npm ci --offline` then takes every package from the cache by integrity.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Exec> {
  return new Promise((resolve) => {
    // npm run by `npm test` passes its own settings down as npm_config_*; the lab's npm must not inherit them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    execFile(
      command,
      args,
      { cwd, env: { ...env, NO_COLOR: '1' }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface Lock {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

let work = '';
let lab = '';
let tarball = '';
let install: Exec = { code: -1, stdout: '', stderr: '' };

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'harness-install-'));
  const packed = await exec('npm', ['pack', '--pack-destination', work], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (name === undefined) throw new Error(`npm pack wrote no tarball: ${packed.stderr}`);
  lab = path.join(work, 'lab');
  tarball = path.join(lab, name);
  mkdirSync(lab);
  copyFileSync(path.join(work, name), tarball);

  const spec = `file:${name}`;
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'lab', dependencies: { 'provisioning-harness': spec } },
    'node_modules/provisioning-harness': {
      version: pkg.version,
      resolved: spec,
      integrity,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '' || entry.dev === true || entry.link === true) continue;
    packages[where] = entry;
  }
  // The lab decides about its dependencies' install scripts as this repository did (package.json allowScripts).
  writeFileSync(
    path.join(lab, 'package.json'),
    `${JSON.stringify({ name: 'lab', private: true, dependencies: { 'provisioning-harness': spec }, allowScripts: pkg.allowScripts }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(lab, 'package-lock.json'),
    `${JSON.stringify({ name: 'lab', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  install = await exec('npm', ['ci', '--offline', '--no-audit', '--no-fund'], lab);
}, 300_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the harness as an installed dependency', () => {
  it('packs only what a user needs (package.json "files")', async () => {
    const listed = await exec('tar', ['tzf', tarball], work);
    const files = listed.stdout.split('\n').filter(Boolean);
    for (const needed of [
      'package/bin/harness.js',
      'package/src/index.ts',
      'package/src/config/self-alias.mjs',
      'package/suites/openmobile/index.ts',
      'package/drivers/emulated/driver.ts',
      'package/vectors/openmobile/profiles.json',
      'package/vectors/swivel/policy.json',
      'package/README.md',
    ]) {
      expect(files).toContain(needed);
    }
    const stray = files.filter((f) => /^package\/(test|bench|stryker|reports|node_modules|\.ci)\//.test(f));
    expect(stray).toEqual([]);
  });

  it('installs offline, and no install script goes unreviewed', () => {
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/install-scripts/);
    expect(existsSync(path.join(lab, 'node_modules/.bin/harness'))).toBe(true);
  });

  it('runs `npx harness run --config lab.config.ts` in the lab, reports beside the config', async () => {
    expect(install.code).toBe(0);
    writeFileSync(
      path.join(lab, 'lab.config.ts'),
      [
        "import { defineConfig } from 'provisioning-harness';",
        '',
        'export default defineConfig({',
        "  targets: [{ name: 'lab-android', driver: 'emulated', options: { platform: 'android' } }],",
        "  reporters: ['console', 'summary'],",
        '});',
        '',
      ].join('\n'),
    );
    const run = await exec('npx', ['harness', 'run', '--config', 'lab.config.ts', '--grep', 'OM-LEN-USERNAME'], lab);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(lab, 'reports/summary.json'), 'utf8')) as {
      conformant: boolean;
      total: number;
    };
    expect(summary.conformant).toBe(true);
    expect(summary.total).toBeGreaterThan(100);
  });

  it('`npx harness --help` from the installed bin', async () => {
    const help = await exec('npx', ['harness', '--help'], lab);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: harness <command>/);
  });
});
