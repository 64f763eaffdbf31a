/**
 * No secret anywhere on disk or on the console: after the default plan, a `--artifacts always` run against
 * a client that logs its passwords (`password-in-logs`), `harness report` (the Allure HTML report), and
 * `harness list` / `harness explain`, every file under the output directory is scanned byte for byte for
 * every spelling of every password the plan sends and of the obfuscation key.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concreteSpellings, redactableEverywhere } from '../../src/core/secrets.ts';
import { urlSecrets, type OpenMobileCase } from '../../suites/openmobile/execute.ts';
import { urlFor } from '../../suites/openmobile/routes.ts';
import { KEY, loadedOpenMobileSuite, repoPaths, runCli, tempProject } from './helpers.ts';

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/**
 * Every password the plan sends (raw, decoded, de-obfuscated), in every concrete spelling, that is long
 * enough to be replaced everywhere; shorter ones are checked where they stand as a password value.
 */
async function planSecrets(): Promise<{ long: Set<string>; short: Set<string> }> {
  const suite = await loadedOpenMobileSuite();
  const long = new Set<string>([KEY, KEY.toLowerCase()]);
  const short = new Set<string>();
  const publicValues: string[] = [];
  for (const c of suite.list() as OpenMobileCase[]) {
    const urls = [
      ...(c.vector.given ?? []).map((q) => urlFor(c.route, q)),
      c.vector.when.url ?? urlFor(c.route, c.vector.when.query ?? ''),
      ...(c.vector.when.concurrent === undefined ? [] : [urlFor(c.route, c.vector.when.concurrent)]),
    ];
    for (const url of urls) {
      for (const pair of (url.split('?')[1] ?? '').split('&')) {
        if (/^[^=]*password=/i.test(pair)) continue;
        const value = pair.slice(pair.indexOf('=') + 1);
        publicValues.push(value);
        try {
          publicValues.push(decodeURIComponent(value));
        } catch {
          // kept raw only
        }
      }
      for (const secret of urlSecrets(url, KEY)) {
        if (!redactableEverywhere(secret)) short.add(secret);
        else for (const form of concreteSpellings(secret)) if (redactableEverywhere(form)) long.add(form);
      }
    }
  }
  // The same text as a username or domain elsewhere in the plan (length-limit vectors build both of the same
  // repeated characters) is no secret in that other case: it is looked for only where it is a password.
  const spelledPublic = [...new Set(publicValues)].flatMap(concreteSpellings).join('\n');
  for (const secret of long) if (spelledPublic.includes(secret)) long.delete(secret);
  return { long, short };
}

/** What a password value looks like in a URL, spelled as in a report: `password=v`, `&amp;password=v`, ... */
function shortLeaks(text: string, short: Set<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/password=([^&#\s"'<>\\]+)/gi)) {
    const value = m[1] ?? '';
    if (value.startsWith('«')) continue;
    for (const s of short) if (concreteSpellings(s).includes(value)) found.push(`password=${value}`);
  }
  return found;
}

function scan(dir: string, secrets: { long: Set<string>; short: Set<string> }, extra: string[] = []): string[] {
  const leaks: string[] = [];
  const check = (where: string, bytes: Buffer) => {
    for (const secret of secrets.long) {
      if (bytes.includes(Buffer.from(secret, 'utf8')))
        leaks.push(`${where} contains a secret of ${secret.length} characters: ${secret.slice(0, 3)}…`);
    }
    for (const leak of shortLeaks(bytes.toString('utf8'), secrets.short)) leaks.push(`${where}: ${leak}`);
  };
  for (const file of filesUnder(dir)) check(path.relative(dir, file), readFileSync(file));
  extra.forEach((text, i) => check(`console output ${i}`, Buffer.from(text, 'utf8')));
  return leaks;
}

describe('no secret in any report', () => {
  it('after the default plan, a password-in-logs run with --artifacts always, and harness report', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },\n` +
        `  targets: [\n` +
        `    { name: 'emulated-ios', driver: 'emulated', options: { platform: 'ios' } },\n` +
        `    { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },\n` +
        `    { name: 'leaky-android', driver: 'emulated', options: { platform: 'android', defects: ['password-in-logs'] } },\n` +
        `    { name: 'leaky-ios', driver: 'emulated', options: { platform: 'ios', defects: ['password-in-logs'] } },\n` +
        `  ],\n  run: ['emulated-ios', 'emulated-android'] };\n`,
    );
    const secrets = await planSecrets();
    expect(secrets.long.size).toBeGreaterThan(50);
    expect(secrets.short.size).toBeGreaterThan(3);
    const outputs: string[] = [];

    const plain = await runCli(['run', '--output', 'reports-default'], dir);
    expect(plain.code).toBe(0);
    outputs.push(plain.stdout, plain.stderr);
    const defaultLeaks = scan(path.join(dir, 'reports-default'), secrets, outputs);
    expect(defaultLeaks).toEqual([]);

    const leaky = await runCli(
      ['run', '--target', 'leaky-android', '--target', 'leaky-ios', '--artifacts', 'always', '--output', 'reports'],
      dir,
    );
    expect(leaky.code).toBe(1);
    outputs.push(leaky.stdout, leaky.stderr);
    const results = readFileSync(path.join(dir, 'reports/results.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { id: string; verdict: string; category?: string; notCheckable?: unknown[] });
    // The HTML specials password has no four letters in a row, and is caught all the same.
    const specials = results.find((r) => r.id === 'om:br-html-specials-android@android-url');
    expect(specials?.category).toBe('password-leak');
    // A one-character password is not checkable in a log: said, never passed silently.
    const oneChar = results.filter((r) => r.id.startsWith('om:ll-password-1@'));
    expect(oneChar.length).toBeGreaterThan(0);
    for (const r of oneChar) expect(r.notCheckable).toHaveLength(1);

    const report = await runCli(['report'], dir);
    expect(report.code).toBe(0);
    const list = await runCli(['list'], dir);
    const explain = await runCli(['explain', 'om:br-amp-entity-ios'], dir);
    const explainSpecials = await runCli(['explain', 'om:br-html-specials-android'], dir);
    expect(explain.stdout).toContain('password=***');
    outputs.push(report.stdout, report.stderr, list.stdout, explain.stdout, explainSpecials.stdout);

    expect(scan(path.join(dir, 'reports'), secrets, outputs)).toEqual([]);
  }, 480_000); // three whole runs and an HTML report: ~2 min alone, twice that beside other e2e files on 2 cores
});
