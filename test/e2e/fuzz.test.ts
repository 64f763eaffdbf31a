/** `harness fuzz` and `harness replay`, run as a user runs them, with fixed seeds. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startExampleAdapter } from '../../drivers/http/adapter-example.ts';
import { startMisbehavingAdapter } from '../../drivers/http/misbehaving.ts';
import { KEY, repoPaths, runCli, tempProject } from './helpers.ts';

const config = (defects: string[]) =>
  `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },
  targets: [
    { name: 'clean', driver: 'emulated', options: { platform: 'android' } },
    { name: 'buggy', driver: 'emulated', options: { platform: 'android', defects: ${JSON.stringify(defects)} } },
  ] };\n`;

describe('harness fuzz', () => {
  it('finds nothing on the defect-free client within a fixed budget', async () => {
    const dir = tempProject(config([]));
    const run = await runCli(['fuzz', '--target', 'clean', '--runs', '600', '--seed', '7', '--corpus', 'corpus'], dir);
    expect(run.stdout).toMatch(/^clean · sequences: no failure in 600 runs, [\d,]+ cases/m);
    expect(run.stdout).toMatch(/^clean · precedence: no failure in 600 runs, 600 cases/m);
    // The precedence property prints which code won over which.
    expect(run.stdout).toMatch(/^ {2}wins +\d+ +\d+/m);
    expect(run.code).toBe(0);
    // One Allure test per property, and summary.json gains the fuzz results.
    const summary = JSON.parse(readFileSync(path.join(dir, 'reports', 'summary.json'), 'utf8')) as {
      fuzz: { seed: number; properties: { target: string; status: string; runs: number }[] };
    };
    expect(summary.fuzz.seed).toBe(7);
    expect(summary.fuzz.properties.map((p) => [p.target, p.status, p.runs])).toEqual([
      ['clean', 'passed', 600],
      ['clean', 'passed', 600],
    ]);
    const results = readdirSync(path.join(dir, 'reports', 'allure-results')).filter((f) => f.endsWith('-result.json'));
    expect(results).toHaveLength(2);
  });

  it('finds a seeded defect, shrinks it, keeps it as a vector, and replays it', async () => {
    const dir = tempProject(config(['missed-soft-domain-default']));
    const run = await runCli(
      ['fuzz', '--target', 'buggy', '--property', 'sequences', '--runs', '2000', '--seed', '7', '--corpus', 'corpus'],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^buggy · sequences: FAILURE after [\d,]+ runs/m);
    expect(run.stdout).toContain('OM-SOFT-DOMAIN-DEFAULT');
    // Shrunk: one request from a fresh app shows a missed domain default, with at most two parameters beyond
    // the pid the defect needs.
    const shown = /\n1 request\(s\) on android (?:url|intent), from a freshly installed app:\n {2}1\. (\S+)\n/.exec(
      run.stdout,
    );
    expect(shown).not.toBeNull();
    const parameters = (shown?.[1] ?? '').split('?')[1]?.split('&') ?? [];
    expect(parameters[0]).toMatch(/^pid=\d+$/);
    expect(parameters.length).toBeLessThanOrEqual(3);
    const files = readdirSync(path.join(dir, 'corpus'));
    expect(files).toHaveLength(1);
    const file = path.join('corpus', files[0] as string);
    const kept = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      vectors: { area: string; origin: { target: string; seed: number } }[];
    };
    expect(kept.vectors[0]).toMatchObject({ area: 'regressions', origin: { target: 'buggy' } });
    expect(run.stdout).toContain(`replay: npx harness replay ${file}`);

    const again = await runCli(['replay', file], dir);
    expect(again.stdout).toMatch(/^STILL FAILING +om:reg-buggy-/m);
    expect(again.code).toBe(1);
    const fixed = await runCli(['replay', file, '--target', 'clean'], dir);
    expect(fixed.stdout).toMatch(/^FIXED +om:reg-buggy-.* on clean$/m);
    expect(fixed.code).toBe(0);
  });

  it('finds a target whose answers no single order of checks explains, naming two contradicting requests', async () => {
    const dir = tempProject(config(['inconsistent-precedence']));
    const run = await runCli(
      ['fuzz', '--target', 'buggy', '--property', 'precedence', '--runs', '3000', '--seed', '7', '--corpus', 'corpus'],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^buggy · precedence: FAILURE over [\d,]+ runs .*no single order of checks explains the answers: .* before .* for .*; .* before .* for /m,
    );
    expect(run.stdout).toContain('requirements: OM-PRECEDENCE');
  });

  it('replays a kept failure whose earlier step failed too (a fuzz sequence may hold failing steps)', async () => {
    const dir = tempProject(config([]));
    mkdirSync(path.join(dir, 'corpus'));
    const vector = {
      id: 'om:reg-clean-failing-step',
      title: 'A blank pid (10, nothing changes), then an activation',
      area: 'regressions',
      requirements: ['OM-PARAM-PID-BLANK'],
      platforms: ['android'],
      methods: ['intent'],
      given: ['clientx://provision?pid='],
      when: { url: 'clientx://provision?pid=9945' },
      then: { handled: true, result: [0] },
      origin: { seed: 1, target: 'clean' },
    };
    writeFileSync(path.join(dir, 'corpus', 'kept.json'), JSON.stringify({ vectors: [vector] }));
    const run = await runCli(['replay', 'corpus/kept.json'], dir);
    expect(run.stdout).toMatch(/^FIXED +om:reg-clean-failing-step@android-intent on clean$/m);
    expect(run.code).toBe(0);
  });

  it('reads budgets, properties and targets from harness.config.ts', async () => {
    const dir = tempProject(
      config([]).replace(
        'targets: [',
        "fuzz: { runs: 150, properties: ['precedence'], targets: ['clean'], corpus: 'kept' },\n  targets: [",
      ),
    );
    const run = await runCli(['fuzz', '--seed', '3'], dir);
    expect(run.stdout).toMatch(/^clean · precedence: no failure in 150 runs/m);
    expect(run.stdout).not.toContain('sequences');
    expect(run.stdout).not.toContain('buggy');
    expect(run.code).toBe(0);
  });

  it('rejects an unknown property with exit 2, naming the field and the choices', async () => {
    const dir = tempProject(config([]).replace('targets: [', "fuzz: { properties: ['sequence'] },\n  targets: ["));
    const run = await runCli(['fuzz', '--runs', '10'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('fuzz.properties[0]');
    expect(run.stderr).toContain('unknown fuzz property "sequence": use "sequences" or "precedence"');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const flag = await runCli(['fuzz', '--property', 'nope', '--runs', '10'], tempProject(config([])));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--property');
  });

  it('--against: the same sequences on two targets; a divergence fails with both observations', async () => {
    const dir = tempProject(config(['missed-soft-domain-default']));
    const run = await runCli(
      [
        'fuzz',
        '--target',
        'buggy',
        '--against',
        'clean',
        '--runs',
        '1500',
        '--seed',
        '7',
        '--max-failures',
        '1',
        '--corpus',
        'corpus',
      ],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^buggy against clean · differential: FAILURE after/m);
    expect(run.stdout).toMatch(
      /-> buggy and clean diverge: buggy: .*\| clean: as the model predicts \| at step \d+, buggy saw handled/,
    );
    const self = await runCli(['fuzz', '--target', 'clean', '--against', 'clean', '--runs', '5'], dir);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('cannot be compared with itself');
  });

  it('replays a kept failure with the generated catalog it was found with', async () => {
    const dir = tempProject(config(['missed-soft-domain-default']));
    mkdirSync(path.join(dir, 'corpus'));
    const profile = {
      id: 777001,
      company: 'globex',
      platform: 'android',
      mode: 'production',
      pin: null,
      favorite: false,
      domains: { options: ['only.globex.example'], editable: false },
      prefixes: null,
      savePassword: true,
      autologin: { userControl: true, default: false },
    };
    const vector = {
      id: 'om:reg-buggy-catalog',
      title: 'Activation with a profile that exists only in the generated catalog: the domain defaults',
      area: 'regressions',
      requirements: ['OM-SOFT-DOMAIN-DEFAULT'],
      platforms: ['android'],
      methods: ['intent'],
      catalog: { profiles: [profile] },
      when: { url: 'clientx://provision?pid=777001&username=aa' },
      then: {
        handled: true,
        result: [0],
        state: {
          profile: { id: 777001, mode: 'production' },
          settings: { username: 'aa', password: null, domain: 'only.globex.example', prefix: null, autologin: false },
        },
      },
      origin: { seed: 1, target: 'buggy' },
    };
    writeFileSync(path.join(dir, 'corpus', 'kept.json'), JSON.stringify({ vectors: [vector] }));
    const still = await runCli(['replay', 'corpus/kept.json'], dir);
    expect(still.stdout).toMatch(
      /^STILL FAILING +om:reg-buggy-catalog@android-intent on buggy: .*OM-SOFT-DOMAIN-DEFAULT/m,
    );
    const fixed = await runCli(['replay', 'corpus/kept.json', '--target', 'clean'], dir);
    // Served from the vector's own catalog: the harness catalog has no profile 777001 (that would be 33).
    expect(fixed.stdout).toMatch(/^FIXED +om:reg-buggy-catalog@android-intent on clean$/m);
  });

  it('rejects a bad budget with exit 2', async () => {
    const dir = tempProject(config([]));
    const run = await runCli(['fuzz', '--time', 'soon'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--time must be a duration like 30s');
  });
});

describe('harness fuzz through the http driver', () => {
  const running: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
  });

  const httpConfig = (url: string) =>
    `export default { ${repoPaths()} obfuscation: { key: '${KEY}' },
  targets: [{ name: 'adapter', driver: 'http', options: { url: '${url}', timeoutMs: 500 } }] };\n`;

  it('finds nothing on the example adapter, and finds its seeded defect, shrunk', async () => {
    const clean = await startExampleAdapter({ platform: 'android', obfuscationKey: KEY });
    running.push(clean);
    const ok = await runCli(
      ['fuzz', '--runs', '300', '--seed', '7', '--corpus', 'corpus'],
      tempProject(httpConfig(clean.url)),
    );
    expect(ok.stdout).toMatch(/^adapter · sequences: no failure in 300 runs/m);
    expect(ok.stdout).toMatch(/^adapter · precedence: no failure in 300 runs/m);
    expect(ok.code).toBe(0);

    const buggy = await startExampleAdapter({
      platform: 'android',
      obfuscationKey: KEY,
      defects: ['missed-soft-domain-default'],
    });
    running.push(buggy);
    const dir = tempProject(httpConfig(buggy.url));
    const found = await runCli(
      ['fuzz', '--property', 'sequences', '--runs', '2000', '--seed', '7', '--corpus', 'corpus'],
      dir,
    );
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/^adapter · sequences: FAILURE after/m);
    expect(found.stdout).toContain('OM-SOFT-DOMAIN-DEFAULT');
    expect(found.stdout).toMatch(/^1 request\(s\) on android (url|intent), from a freshly installed app:$/m);
    const [file] = readdirSync(path.join(dir, 'corpus'));
    const again = await runCli(['replay', path.join('corpus', file as string)], dir);
    expect(again.stdout).toMatch(/^STILL FAILING +om:reg-adapter-sequences-/m);
  });

  it('a target that hangs ends its property as BROKEN, and the run still writes its reports', async () => {
    const hang = await startMisbehavingAdapter('hang');
    running.push(hang);
    const dir = tempProject(httpConfig(hang.url));
    const run = await runCli(['fuzz', '--time', '20s', '--seed', '7', '--corpus', 'corpus'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/adapter.*BROKEN/);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(existsSync(path.join(dir, 'reports', 'summary.json'))).toBe(true);
  });
});
