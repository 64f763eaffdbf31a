/**
 * The example pipelines (examples/ci/) are what a team copies into its CI: every `harness` command in them
 * must exist with the flags it is given, for every shard the pipeline runs. Each file is parsed as YAML, every
 * shell line of its jobs (`run:` in GitHub Actions, `script:` and its siblings in GitLab) is split into
 * commands, the CI's variables are given the values each job of the matrix (or of `parallel:`) gets, and each
 * `npx harness ...` is parsed by the harness's own argument parser (src/cli/args.ts): an unknown command or
 * flag, or a bad value (`--shard 5/4`), fails this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCli, type ParsedArgs } from '../../src/cli/args.ts';
import { isHarnessError } from '../../src/core/errors.ts';
import { ROOT } from '../e2e/helpers.ts';

const EXAMPLES = path.join(ROOT, 'examples/ci');

/** The keys whose values are shell: GitHub Actions' `run`, GitLab's scripts. */
const SHELL_KEYS = new Set(['run', 'script', 'before_script', 'after_script']);

/** Every shell text of a parsed pipeline, with the path to it (for messages). */
function shellTexts(node: unknown, where = ''): { where: string; text: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => shellTexts(item, `${where}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const at = where === '' ? key : `${where}.${key}`;
    if (!SHELL_KEYS.has(key)) return shellTexts(value, at);
    const lines = Array.isArray(value) ? value : [value];
    return lines.filter((l): l is string => typeof l === 'string').map((text, i) => ({ where: `${at}[${i}]`, text }));
  });
}

/** Shell words, quotes removed; commands split at `&&`, `||`, `;`, `|` and newlines (a `\` joins lines). */
function shellCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  const source = text.replace(/\\\n/g, ' ');
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '#' && word === null) {
      while (i < source.length && source[i] !== '\n') i++;
      endCommand();
    } else if (c === '\n' || c === ';' || c === '|' || c === '&') {
      endCommand();
      if ((c === '&' || c === '|') && source[i + 1] === c) i++;
    } else if (/\s/.test(c)) endWord();
    else word = (word ?? '') + c;
  }
  if (quote !== null) throw new Error(`unterminated ${quote} in: ${text}`);
  endCommand();
  return commands;
}

/** `${{ matrix.x }}`, `${VAR}` and `$VAR` replaced by `values`; a variable it does not know is an error. */
function substitute(text: string, values: Record<string, string>): string {
  const value = (name: string) => {
    const found = values[name];
    if (found === undefined)
      throw new Error(`the test gives no value to ${name} (in: ${text}): add it to the job's values`);
    return found;
  };
  return text
    .replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => value(name))
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => value((braced ?? bare) as string));
}

interface Job {
  name: string;
  /** The values of the CI's variables, one set per instance of the job (each matrix entry, each parallel job). */
  instances: Record<string, string>[];
  texts: { where: string; text: string }[];
}

/** GitHub Actions: each job with every combination of its matrix (one dimension per key). */
function githubJobs(pipeline: Record<string, unknown>): Job[] {
  const jobs = (pipeline['jobs'] ?? {}) as Record<string, { strategy?: { matrix?: Record<string, unknown[]> } }>;
  return Object.entries(jobs).map(([name, job]) => {
    let instances: Record<string, string>[] = [{}];
    for (const [key, options] of Object.entries(job.strategy?.matrix ?? {})) {
      if (!Array.isArray(options)) continue;
      instances = instances.flatMap((i) => options.map((o) => ({ ...i, [`matrix.${key}`]: String(o) })));
    }
    return { name, instances, texts: shellTexts(job, `jobs.${name}`) };
  });
}

const GITLAB_KEYWORDS = new Set(['stages', 'variables', 'include', 'workflow', 'image', 'services', 'cache']);

/** GitLab: each job (with `default:`'s scripts), once per `parallel:` instance (CI_NODE_INDEX 1..n). */
function gitlabJobs(pipeline: Record<string, unknown>): Job[] {
  const defaults = shellTexts(pipeline['default'] ?? {}, 'default');
  return Object.entries(pipeline)
    .filter(([name]) => !GITLAB_KEYWORDS.has(name) && name !== 'default' && !name.startsWith('.'))
    .map(([name, job]) => {
      const parallel = (job as { parallel?: unknown }).parallel;
      const total = typeof parallel === 'number' ? parallel : 1;
      const instances = Array.from({ length: total }, (_, i) => ({
        CI_NODE_INDEX: String(i + 1),
        CI_NODE_TOTAL: String(total),
      }));
      return { name, instances, texts: [...defaults, ...shellTexts(job, name)] };
    });
}

/** Every harness command of a pipeline as each job instance runs it, parsed: or why it does not parse. */
function harnessCommands(jobs: Job[]): { where: string; line: string; parsed: ParsedArgs | string }[] {
  const out: { where: string; line: string; parsed: ParsedArgs | string }[] = [];
  for (const job of jobs) {
    for (const values of job.instances) {
      for (const { where, text } of job.texts) {
        for (const words of shellCommands(substitute(text, values))) {
          const at = words[0] === 'npx' ? 1 : 0;
          if (words[at] !== 'harness') continue;
          const args = words.slice(at + 1);
          let parsed: ParsedArgs | string;
          try {
            parsed = parseCli(args);
          } catch (error) {
            parsed = isHarnessError(error) ? error.message : String(error);
          }
          out.push({ where: `${where} ${JSON.stringify(values)}`, line: words.join(' '), parsed });
        }
      }
    }
  }
  return out;
}

function load(file: string): Record<string, unknown> {
  return parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
}

describe('the example pipelines', () => {
  it('are the two the docs show, and nothing else', () => {
    expect(readdirSync(EXAMPLES).sort()).toEqual(['github-actions.yml', 'gitlab-ci.yml']);
  });

  for (const [file, jobsOf] of [
    ['github-actions.yml', githubJobs],
    ['gitlab-ci.yml', gitlabJobs],
  ] as const) {
    it(`${file}: every harness command exists with its flags, in every shard`, () => {
      const commands = harnessCommands(jobsOf(load(file)));
      const bad = commands
        .filter((c) => typeof c.parsed === 'string')
        .map((c) => `${c.where}: ${c.line}: ${String(c.parsed)}`);
      expect(bad).toEqual([]);
      // What the pipeline is for: 4 shards of the plan, with the expectations file, merged, and the HTML report.
      const parsed = commands.map((c) => c.parsed as ParsedArgs);
      const runs = parsed.filter((p) => p.command === 'run');
      expect(runs).toHaveLength(4);
      expect(new Set(runs.map((p) => JSON.stringify(p.overrides.shard))).size).toBe(4);
      for (const p of runs)
        expect((p.overrides as Record<string, unknown>)['expectations']).toBe('harness.expectations.json');
      const merges = parsed.filter((p) => p.command === 'merge');
      expect(merges).toHaveLength(1);
      // The merge judges the whole plan: by the same known deviations as the shards.
      for (const p of merges) expect(p.overrides.expectations).toBe('harness.expectations.json');
      expect(parsed.filter((p) => p.command === 'report')).toHaveLength(1);
    });
  }

  it('github-actions.yml annotates through the github reporter and keeps each shard in its own directory', () => {
    const commands = harnessCommands(githubJobs(load('github-actions.yml'))).map((c) => c.parsed as ParsedArgs);
    const runs = commands.filter((p) => p.command === 'run');
    expect(runs).toHaveLength(4);
    for (const p of runs) expect(p.overrides.reporter).toContain('github');
    expect(new Set(runs.map((p) => p.overrides.outputDir)).size).toBe(runs.length);
  });

  it('finds a command that does not exist, a flag that does not, and a bad shard (the check can fail)', () => {
    const job = (text: string): Job[] => [
      { name: 'j', instances: [{ 'matrix.shard': '5' }], texts: [{ where: 'x', text }] },
    ];
    const reasons = (text: string) => harnessCommands(job(text)).map((c) => c.parsed);
    expect(reasons('npx harness rn --seed 1')).toEqual([expect.stringMatching(/unknown command "rn"/)]);
    expect(reasons('npm ci && npx harness run --sed 1')).toEqual([expect.stringMatching(/unknown flag --sed/)]);
    // A flag of another command: --shard belongs to run, not to merge.
    expect(reasons('npx harness merge reports/a --shard 1/2')).toEqual([
      expect.stringMatching(/--shard is a flag of `harness run`, not of `harness merge`/),
    ]);
    expect(reasons('npx harness run --shard ${{ matrix.shard }}/4')).toEqual([
      expect.stringMatching(/--shard 5\/4: there is no shard 5 of 4/),
    ]);
    expect(() => reasons('npx harness run --seed ${{ matrix.seed }}')).toThrow(/no value to matrix.seed/);
    // Quotes, continuations, comments and other commands on the line are read as a shell reads them.
    expect(shellCommands("echo hi; npx harness run \\\n  --grep 'a b' # --bogus\nls | wc -l")).toEqual([
      ['echo', 'hi'],
      ['npx', 'harness', 'run', '--grep', 'a b'],
      ['ls'],
      ['wc', '-l'],
    ]);
  });
});
