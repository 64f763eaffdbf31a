/**
 * Every ```sh block of README.md, docs/**\/*.md and drivers/**\/README.md runs as written, in order, in a fresh
 * copy of the repository per page (so what one command writes, the next one finds). The convention
 * (docs/contributing.md, "Command blocks in the docs"):
 *
 * - ```sh: each command (a line, with `\` continuations) must exit 0, or the code an `# exit N` comment at the
 *   end of its line declares. Lines right after it that start with `# ` (at the start of the line) are its
 *   output: compared without whitespace, `...` standing for anything.
 * - A command still running after its budget (budgetOf: a minute, or less for what runs long by design) is
 *   ended as Ctrl-C ends it (SIGINT to its process group): it must have started cleanly (no usage,
 *   configuration or internal error, no stack trace).
 * - ```sh background: a server; started, awaited until it printed its `# ` lines, left running while the
 *   rest of the page runs, then ended with SIGINT.
 * - ```sh no-run: <why>: shown only (a real device, a tool that runs for an hour). Keep them rare.
 *
 * The pages are many minutes of commands, so they run as three groups, one test file each
 * (test/docs/commands-*.test.ts), which Vitest runs side by side. Pages whose commands use a fixed port
 * (an adapter on 9400) take that port's lock (lockPorts) from their first such block to their end, so two
 * pages never start servers on one port at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXAMPLE_PORT } from '../../drivers/http/adapter-example.ts';
import { SERVE_PORT } from '../../src/cli/main.ts';
import { repositoryFiles, ROOT } from '../e2e/helpers.ts';

/**
 * How long a command may run before it is ended as Ctrl-C ends it. A command runs to its end (COMMAND_BUDGET_MS
 * is a bound, not a wait), since a later command on the page may read what it writes (a statement, a shard, a
 * bundle), except what runs long by design: a fuzz budget, a served report and a test run (OPEN_ENDED,
 * OPEN_ENDED_BUDGET_MS), and a whole plan (WHOLE_PLAN_BUDGET_MS), which have shown that they start by then.
 */
const COMMAND_BUDGET_MS = Number(process.env['DOC_COMMAND_BUDGET_MS'] ?? 60_000);
const WHOLE_PLAN_BUDGET_MS = Number(process.env['DOC_WHOLE_PLAN_BUDGET_MS'] ?? 20_000);
const OPEN_ENDED_BUDGET_MS = Number(process.env['DOC_OPEN_ENDED_BUDGET_MS'] ?? 10_000);
const OPEN_ENDED = [/\bharness fuzz\b/, /\breport --open\b/, /\bvitest run\b/];
/** `harness run` (or `node bin/harness.js run`) of a whole plan: no flag that narrows or ends it early. */
const WHOLE_PLAN = /\bharness(?:\.js)? run\b(?!.*--(?:grep|tier|last-failed|shard|bail|max-failures)\b)/;
export function budgetOf(command: Pick<DocCommand, 'text' | 'output' | 'expectedExit'>): number {
  // What the page promises (its output, a non-zero exit code) is checked only on a command that ends.
  if (command.output.length > 0 || command.expectedExit !== 0) return COMMAND_BUDGET_MS;
  if (OPEN_ENDED.some((pattern) => pattern.test(command.text))) return OPEN_ENDED_BUDGET_MS;
  if (WHOLE_PLAN.test(command.text)) return WHOLE_PLAN_BUDGET_MS;
  return COMMAND_BUDGET_MS;
}
/** How long a background server may take to print its first lines. */
const SERVER_START_MS = 90_000;

interface DocCommand {
  /** The command as the shell gets it (continuations joined). */
  text: string;
  line: number;
  expectedExit: number;
  /** The `# ` lines after it, without the `# `; empty: not checked. */
  output: string[];
}

interface DocBlock {
  file: string;
  line: number;
  kind: 'run' | 'background' | 'no-run';
  reason: string;
  commands: DocCommand[];
}

/** The ```sh blocks of a Markdown page, in order. */
function shBlocks(file: string, text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```sh(?:\s+(.*))?$/.exec(lines[i] as string);
    if (open === null) continue;
    const info = (open[1] ?? '').trim();
    const kind =
      info === '' ? 'run' : info === 'background' ? 'background' : info.startsWith('no-run') ? 'no-run' : null;
    if (kind === null)
      throw new Error(
        `${file}:${i + 1}: unknown \`\`\`sh block kind "${info}": use sh, sh background or sh no-run: <why>`,
      );
    const body: { text: string; line: number }[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== '```'; j++) body.push({ text: lines[j] as string, line: j + 1 });
    const block: DocBlock = { file, line: i + 1, kind, reason: info.replace(/^no-run:?\s*/, ''), commands: [] };
    for (let k = 0; k < body.length; k++) {
      const { text: first, line } = body[k] as { text: string; line: number };
      if (first.trim() === '') continue;
      if (/^\s*#/.test(first)) {
        // Output of the command before it (at the start of a line), or a comment.
        const last = block.commands.at(-1);
        if (last !== undefined && first.startsWith('# ')) last.output.push(first.slice(2));
        continue;
      }
      let command = first;
      while (command.endsWith('\\') && k + 1 < body.length)
        command = `${command.slice(0, -1)} ${(body[++k] as { text: string }).text.trim()}`;
      const exit = /#\s*exit (\d+)\b/.exec(command);
      block.commands.push({ text: command, line, expectedExit: exit ? Number(exit[1]) : 0, output: [] });
    }
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** Does `actual` show the documented output? Whitespace ignored, `...` matches anything. */
function showsOutput(actual: string, expected: string[]): boolean {
  if (expected.length === 0) return true;
  const squeeze = (s: string) => s.replace(/\s+/g, '');
  const pattern = squeeze(expected.join('\n'))
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(pattern).test(squeeze(actual));
}

/** The pages whose ```sh blocks run. */
export function pages(): string[] {
  return repositoryFiles()
    .filter(
      (f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')) || /^drivers\/.*README\.md$/.test(f),
    )
    .filter((f) => readFileSync(path.join(ROOT, f), 'utf8').includes('```sh'))
    .sort();
}

/** A copy of the repository as a fresh clone has it (tracked and unignored files), sharing node_modules. */
function repositoryCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-doc-'));
  const files = repositoryFiles().filter((f) => f !== 'node_modules' && !f.startsWith('node_modules/'));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    try {
      cpSync(path.join(ROOT, f), path.join(dir, f));
    } catch {
      // Deleted in the work tree but still tracked: a clone of this state would not have it either.
    }
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, cwd: string): Started {
  // Its own process group, as a terminal gives a command, so Ctrl-C reaches everything it started.
  const child = spawn('/bin/sh', ['-c', command], {
    cwd,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function ctrlC(started: Started): void {
  try {
    process.kill(-(started.child.pid as number), 'SIGINT');
  } catch {
    // gone already
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function stop(started: Started): Promise<void> {
  ctrlC(started);
  if ((await within(started.exited, 30_000)) === 'late') {
    try {
      process.kill(-(started.child.pid as number), 'SIGKILL');
    } catch {
      // gone already
    }
    await started.exited;
  }
}

/** What no command may print, ended early or not: a usage or configuration error, a crash. */
function startProblems(output: string): string | null {
  const bad = /(HARNESS_[A-Z_]+:|internal error|\n\s+at .+:\d+:\d+|command not found|ERR_MODULE_NOT_FOUND)/.exec(
    output,
  );
  return bad === null ? null : bad[0].trim();
}

/** The three groups of pages, one test file each; a page in none of the first two is in `docs`. */
export type PageGroup = 'readme' | 'servers' | 'docs';
const GROUPS: Readonly<Record<string, PageGroup>> = {
  'README.md': 'readme',
  // The pages that start servers of their own (and docs/fuzzing.md's whole fuzz budgets): together about as
  // long as README.md and as the rest.
  'docs/fuzzing.md': 'servers',
  'docs/browser.md': 'servers',
  'drivers/http/README.md': 'servers',
};
const groupOf = (page: string): PageGroup => GROUPS[page] ?? 'docs';
/** The pages given a group by name (a page renamed would silently fall into `docs`). */
export const NAMED_PAGES = Object.keys(GROUPS);

/** Where the port locks live: shared by the test files, which run in separate processes. */
export const LOCK_DIR = path.join(os.tmpdir(), 'harness-doc-port-locks');
/** How long a page waits for a port another page holds before it fails. */
const LOCK_WAIT_MS = 30 * 60_000;

/**
 * The fixed ports a command listens on or needs a server on: `--port N`, `127.0.0.1:N`, the configured
 * `adapter-android` (harness.config.ts: the example adapter's default port), `harness serve profiles` without
 * `--port` (its default).
 */
export function portsOf(command: string): number[] {
  const ports = [...command.matchAll(/(?:--port\s+|127\.0\.0\.1:)(\d{2,5})\b/g)].map((m) => Number(m[1]));
  if (/\badapter-android\b/.test(command)) ports.push(DEFAULT_EXAMPLE_PORT);
  if (/\bserve\s+profiles\b/.test(command) && !/--port\b/.test(command)) ports.push(SERVE_PORT);
  return [...new Set(ports.filter((p) => p > 0))].sort((a, b) => a - b);
}

/** Is the lock's holder still a test process? (A dead one's PID may since belong to something else.) */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vitest');
  } catch {
    return true; // no /proc: the PID is all there is to go by
  }
};

/** Takes the lock of each port (in order, so two pages never wait on each other); returns their release. */
export async function lockPorts(ports: number[], page: string): Promise<() => void> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const held: string[] = [];
  for (const port of ports) {
    const file = path.join(LOCK_DIR, `${port}.lock`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${process.pid} ${page}`);
        closeSync(fd);
        held.push(file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let owner = '';
      try {
        owner = readFileSync(file, 'utf8');
      } catch {
        continue; // released just now
      }
      // Left by a test process that died: nobody holds it.
      if (!alive(Number(owner.split(' ')[0]))) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`${page}: port ${port} still locked by ${owner} after ${LOCK_WAIT_MS / 60_000} min`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return () => {
    for (const file of held) {
      try {
        unlinkSync(file);
      } catch {
        // gone already
      }
    }
  };
}

const copies: string[] = [];

/** One test per page of `group`, each running the page's blocks in order. */
export function runPages(group: PageGroup): void {
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  describe(`the \`\`\`sh blocks of ${group === 'readme' ? 'README.md' : group === 'servers' ? 'the pages that start servers' : 'docs/'} run as written`, () => {
    for (const page of pages().filter((p) => groupOf(p) === group)) {
      it(`${page}`, { timeout: 60 * 60_000 }, async () => {
        const blocks = shBlocks(page, readFileSync(path.join(ROOT, page), 'utf8')).filter((b) => b.kind !== 'no-run');
        if (blocks.length === 0) return;
        const cwd = repositoryCopy();
        copies.push(cwd);
        const servers: Started[] = [];
        const problems: string[] = [];
        const ports = [...new Set(blocks.flatMap((b) => b.commands.flatMap((c) => portsOf(c.text))))].sort(
          (a, b) => a - b,
        );
        let release: (() => void) | null = null;
        try {
          for (const block of blocks) {
            if (release === null && block.commands.some((c) => portsOf(c.text).length > 0))
              release = await lockPorts(ports, page);
            for (const command of block.commands) {
              const where = `${page}:${command.line}: ${command.text}`;
              const started = start(command.text, cwd);
              if (block.kind === 'background') {
                servers.push(started);
                const deadline = Date.now() + SERVER_START_MS;
                const expected = command.output.length > 0 ? command.output : ['...'];
                while (Date.now() < deadline && !(showsOutput(started.output(), expected) && started.output() !== '')) {
                  if ((await within(started.exited, 250)) !== 'late') break;
                }
                if (!showsOutput(started.output(), expected) || started.output() === '')
                  problems.push(
                    `${where}\n  the server did not print ${JSON.stringify(expected.join('\n'))}:\n${started.output()}`,
                  );
                continue;
              }
              const budget = budgetOf(command);
              const code = await within(started.exited, budget);
              if (code === 'late') {
                // Long-running (a whole plan, a fuzz budget): ended as Ctrl-C ends it, once it has shown it starts.
                await stop(started);
                const problem = startProblems(started.output());
                if (problem !== null)
                  problems.push(`${where}\n  ended after ${budget} ms, had printed "${problem}":\n${started.output()}`);
                continue;
              }
              if (code !== command.expectedExit)
                problems.push(
                  `${where}\n  exited ${code}, the page says ${command.expectedExit}:\n${started.output()}`,
                );
              else if (!showsOutput(started.output(), command.output))
                problems.push(
                  `${where}\n  printed:\n${started.output()}\n  the page says:\n${command.output.join('\n')}`,
                );
            }
          }
        } finally {
          for (const server of servers.reverse()) await stop(server);
          release?.();
        }
        expect(problems).toEqual([]);
      });
    }
  });
}

/** Every page's blocks are of a known kind, with a reason on every no-run block. */
export function checkBlockKinds(): void {
  for (const page of pages()) {
    for (const block of shBlocks(page, readFileSync(path.join(ROOT, page), 'utf8'))) {
      if (block.kind === 'no-run') expect(block.reason, `${page}:${block.line}`).toMatch(/\w{3,}.*\w{3,}/);
    }
  }
}
