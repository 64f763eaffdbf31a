/**
 * The golden runs: what `harness run`, `harness fuzz` and the device path report for a fixed seed, each
 * result reduced to what does not change from run to run (times, durations, rates, ports, per-run salts and
 * random account names are normalised away). test/golden/golden.test.ts compares them with the committed
 * baseline (test/golden/baseline.tsv); `npm run golden:update` rewrites it on purpose.
 *
 * Everything runs through the real CLI entry (`main`), in-process, with the repository's harness.config.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFECTS } from '../../drivers/emulated/defects.ts';
import { main } from '../../src/cli/main.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BASELINE = path.join(ROOT, 'test/golden/baseline.tsv');

/** The parts of the baseline; each is one test, and one prefix of the baseline's keys. */
export const PARTS = ['run', 'defects', 'fuzz', 'device'] as const;
export type Part = (typeof PARTS)[number];

/** One normalised result: `key` is unique in the baseline, `summary` is what a reader of a diff needs. */
export interface GoldenRecord {
  key: string;
  summary: string;
  record: unknown;
}

/** The obfuscation key of the repository's harness.config.ts. */
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
/** The run's seed and the fuzz budget: fixed, so every run of the golden test does the same work. */
const SEED = '1';
const FUZZ_RUNS = '200';
/** Long enough never to end a property before its runs: the run count decides, not the clock. */
const NO_TIME_LIMIT = '600m';
/** A small fixed selection of the plan through Appium and the virtual device. */
const DEVICE_TARGET = 'virtual-android';

/** Fields whose value is a time, a duration, a rate or an Allure file name: never compared. */
const RUN_SPECIFIC_KEYS = new Set([
  'start',
  'stop',
  'startedAt',
  'durationMs',
  'elapsedMs',
  'casesPerSecond',
  'foundAfterMs',
  'uuid',
  'source',
]);

/** Replaces the run-specific parts of a text; `dirs` (temp folders, the repository) become placeholders. */
export function normaliseText(text: string, dirs: Record<string, string>): string {
  // A value that recurs within one record (the same account, the same redacted secret) keeps one number, so
  // "expected equals observed" still shows.
  const seen = new Map<string, Map<string, number>>();
  const token = (kind: string, value: string) => {
    let values = seen.get(kind);
    if (!values) seen.set(kind, (values = new Map()));
    if (!values.has(value)) values.set(value, values.size + 1);
    return values.get(value) as number;
  };
  let out = text;
  for (const [name, dir] of Object.entries(dirs).sort((a, b) => b[1].length - a[1].length)) {
    out = out.split(dir).join(`<${name}>`);
  }
  return (
    out
      // Random names the reference servers' test hooks give accounts (acme-54be001e).
      .replace(/\b([a-z]+)-([0-9a-f]{8})\b/g, (_, prefix: string, hex: string) => `${prefix}-<id${token('id', hex)}>`)
      // The redactor's per-run salted fingerprint («redacted 10 chars #22ae»).
      .replace(
        /(«redacted \d+ chars #)([0-9a-f]{4})»/g,
        (_, lead: string, hex: string) => `${lead}<${token('r', hex)}>»`,
      )
      .replace(/\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g, '$1:<port>')
      // Fuzz output: durations and rates.
      .replace(/[\d,]+(\.\d+)? cases\/s/g, '<rate> cases/s')
      .replace(/\b\d+(\.\d+)? s\b/g, '<time> s')
      .replace(/\b\d+ ms\b/g, '<time> ms')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<date>')
  );
}

/** A copy without run-specific fields, every string normalised, keys sorted (key order is not a result). */
export function normalise(value: unknown, dirs: Record<string, string>): unknown {
  const text = JSON.stringify(strip(value));
  return JSON.parse(normaliseText(text, dirs)) as unknown;
}

/**
 * A case's recorded observations (what re-judging reads): kept out of the baseline, which compares what a
 * report shows; test/core/rejudge.test.ts holds them to the verdicts instead. A SurePassID secret's
 * stand-in in them is drawn with a key of the process, so they differ from run to run.
 */
const NOT_COMPARED_KEYS = new Set(['observations']);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (RUN_SPECIFIC_KEYS.has(key) || NOT_COMPARED_KEYS.has(key)) continue;
      out[key] = strip((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

export function hashOf(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI in-process, in `cwd`, with the repository's config (and no key from the environment). */
async function cli(args: string[], cwd: string, config = path.join(ROOT, 'harness.config.ts')): Promise<Cli> {
  let stdout = '';
  let stderr = '';
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['HARNESS_OBFUSCATION_KEY'];
  const code = await main(['--config', config, ...args], {
    cwd,
    env,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function caseRecords(
  part: Part,
  file: string,
  dirs: Record<string, string>,
  keep: (result: Record<string, unknown>) => boolean = () => true,
): GoldenRecord[] {
  return readJsonl(file)
    .filter(keep)
    .map((result) => {
      const record = normalise(result, dirs) as { verdict: string; message: string };
      return {
        key: `${part} ${String(result['target'])} ${String(result['id'])}`,
        summary: `${record.verdict}: ${oneLine(record.message)}`,
        record,
      };
    });
}

/** The folders printed in results: the run's (its cwd) and the repository's, also as a path relative to the run's. */
function where(dir: string): Record<string, string> {
  return { out: dir, root: ROOT, 'root from out': path.relative(dir, ROOT) };
}

async function inTemp<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-golden-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function failed(what: string, run: Cli): Error {
  return new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

/** `harness run --seed 1`: the default plan on the configured default targets, in-process. */
async function runPart(): Promise<GoldenRecord[]> {
  return inTemp(async (dir) => {
    const run = await cli(['run', '--seed', SEED, '--reporter', 'jsonl', '--output', 'reports'], dir);
    if (run.code !== 0) throw failed('harness run', run);
    return caseRecords('run', path.join(dir, 'reports/results.jsonl'), where(dir));
  });
}

/**
 * The default plan on emulated clients with every seeded defect of their platform switched on: the failing
 * paths (wrong codes, wrong state, leaks, setup steps, concurrent requests). Only the results that did not
 * pass are kept: a case that passes after a change shows as NEW, one that no longer does as GONE.
 */
async function defectsPart(): Promise<GoldenRecord[]> {
  return inTemp(async (dir) => {
    const targets = (['ios', 'android'] as const).map((platform) => ({
      name: `defective-${platform}`,
      driver: 'emulated',
      options: { platform, defects: DEFECTS.filter((d) => d.platforms.includes(platform)).map((d) => d.id) },
    }));
    const config = path.join(dir, 'harness.config.ts');
    writeFileSync(
      config,
      `export default ${JSON.stringify({
        targets,
        run: targets.map((t) => t.name),
        profiles: path.join(ROOT, 'vectors/openmobile/profiles.json'),
        vectors: path.join(ROOT, 'vectors/openmobile'),
        obfuscation: { key: KEY },
      })};\n`,
    );
    const run = await cli(['run', '--seed', SEED, '--reporter', 'jsonl', '--output', 'reports'], dir, config);
    if (run.code !== 1) throw failed('harness run (defects)', run);
    return caseRecords('defects', path.join(dir, 'reports/results.jsonl'), where(dir), (r) => r['verdict'] !== 'pass');
  });
}

/** The device path: the smoke tier through a real Appium server and the virtual device, with every attachment. */
async function devicePart(): Promise<GoldenRecord[]> {
  return inTemp(async (dir) => {
    const args = ['run', '--target', DEVICE_TARGET, '--tier', 'smoke', '--seed', SEED, '--artifacts', 'always'];
    const run = await cli([...args, '--reporter', 'jsonl', '--output', 'reports'], dir);
    if (run.code !== 0) throw failed('harness run (device)', run);
    return caseRecords('device', path.join(dir, 'reports/results.jsonl'), where(dir));
  });
}

/**
 * `harness fuzz` with a fixed seed and run count: the default fuzz targets' properties (no failure expected),
 * then the seeded defect's target (failures found, shrunk and kept). Compared: the printed outcome, each
 * property's Allure result with its attachments (statistics, precedence matrix), summary.json's entries and
 * the kept regression vectors.
 */
async function fuzzPart(): Promise<GoldenRecord[]> {
  const records: GoldenRecord[] = [];
  const budget = ['--runs', FUZZ_RUNS, '--time', NO_TIME_LIMIT, '--time-per-property', NO_TIME_LIMIT, '--seed', SEED];
  const reporters = ['--reporter', 'summary', '--reporter', 'allure', '--output', 'reports', '--corpus', 'corpus'];
  const runs: { name: string; args: string[]; code: number }[] = [
    { name: 'default-targets', args: [], code: 0 },
    { name: 'emulated-android-defective', args: ['--target', 'emulated-android-defective'], code: 1 },
  ];
  for (const { name, args, code } of runs) {
    await inTemp(async (dir) => {
      const run = await cli(['fuzz', ...args, ...budget, ...reporters], dir);
      if (run.code !== code) throw failed(`harness fuzz ${args.join(' ')}`, run);
      const dirs = where(dir);
      const stdout = normaliseText(run.stdout, dirs);
      records.push({ key: `fuzz ${name} stdout`, summary: `exit ${run.code}`, record: stdout.split('\n') });
      const summary = JSON.parse(readFileSync(path.join(dir, 'reports/summary.json'), 'utf8')) as {
        fuzz: { properties: { target: string; property: string; status: string }[] };
      };
      for (const entry of summary.fuzz.properties) {
        records.push({
          key: `fuzz ${name} summary ${entry.target} ${entry.property}`,
          summary: entry.status,
          record: normalise(entry, dirs),
        });
      }
      const allure = path.join(dir, 'reports/allure-results');
      for (const file of readdirSync(allure).filter((f) => f.endsWith('-result.json'))) {
        const result = JSON.parse(readFileSync(path.join(allure, file), 'utf8')) as {
          fullName: string;
          status: string;
          attachments: { name: string; source: string }[];
        };
        // An attachment's file name is random; its name and content are the result (a JSON one parsed, so
        // its times are left out like the others).
        const attachments = result.attachments.map((a) => {
          const body = readFileSync(path.join(allure, a.source), 'utf8');
          return { name: a.name, body: a.name.endsWith('.json') ? (JSON.parse(body) as unknown) : body };
        });
        records.push({
          key: `fuzz ${name} allure ${result.fullName}`,
          summary: result.status,
          record: normalise({ ...result, attachments }, dirs),
        });
      }
      const corpus = path.join(dir, 'corpus');
      const kept = existsSync(corpus) ? readdirSync(corpus).sort() : [];
      for (const file of kept) {
        records.push({
          key: `fuzz ${name} corpus ${file}`,
          summary: 'kept',
          record: normalise(JSON.parse(readFileSync(path.join(corpus, file), 'utf8')), dirs),
        });
      }
    });
  }
  return records;
}

export async function capture(part: Part): Promise<GoldenRecord[]> {
  const records =
    part === 'run'
      ? await runPart()
      : part === 'defects'
        ? await defectsPart()
        : part === 'fuzz'
          ? await fuzzPart()
          : await devicePart();
  const keys = new Set<string>();
  for (const r of records) {
    if (keys.has(r.key)) throw new Error(`golden: two results with the key "${r.key}"`);
    keys.add(r.key);
  }
  return records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One line a record: `key<TAB>hash<TAB>summary`, sorted by key. */
export function baselineLines(records: GoldenRecord[]): string[] {
  return records.map((r) => `${r.key}\t${hashOf(r.record)}\t${r.summary.replace(/\t/g, ' ')}`);
}

export interface BaselineLine {
  key: string;
  hash: string;
  summary: string;
}

export function readBaseline(): BaselineLine[] {
  if (!existsSync(BASELINE)) return [];
  return readFileSync(BASELINE, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [key = '', hash = '', ...summary] = line.split('\t');
      return { key, hash, summary: summary.join('\t') };
    });
}

export const HEADER = [
  '# The golden baseline (test/golden/golden.test.ts): one line per result of a fixed-seed run, fuzz run and',
  '# device run: key, hash of the normalised result, verdict and message. Regenerate on purpose with',
  '# `npm run golden:update` (docs/contributing.md) and say in the commit why results changed.',
];
