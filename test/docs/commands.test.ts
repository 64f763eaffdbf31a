/**
 * SLOW (many minutes; an end-to-end test for `npm run test:e2e`, not the default `npm test`).
 *
 * Every ```sh block of README.md, docs/**\/*.md and drivers/**\/README.md runs as written, in order, in a fresh
 * copy of the repository per page (so what one command writes, the next one finds). The convention
 * (docs/contributing.md, "Command blocks in the docs"):
 *
 * - ```sh: each command (a line, with `\` continuations) must exit 0, or the code an `# exit N` comment at the
 *   end of its line declares. Lines right after it that start with `# ` (at the start of the line) are its
 *   output: compared without whitespace, `...` standing for anything.
 * - A command still running after COMMAND_BUDGET_MS is ended as Ctrl-C ends it (SIGINT to its process
 *   group): it must have started cleanly (no usage, configuration or internal error, no stack trace).
 * - ```sh background: a server; started, awaited until it printed its `# ` lines, left running while the
 *   rest of the page runs, then ended with SIGINT.
 * - ```sh no-run: <why>: shown only (a real device, a tool that runs for an hour). Keep them rare.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryFiles, ROOT } from '../e2e/helpers.ts';

/** How long one command may run before it is ended with Ctrl-C (it has shown it starts cleanly by then). */
const COMMAND_BUDGET_MS = Number(process.env['DOC_COMMAND_BUDGET_MS'] ?? 20_000);
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
function pages(): string[] {
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

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('the ```sh blocks of README.md and docs/ run as written', () => {
  it('every page has only blocks of a known kind, and a reason on every no-run block', () => {
    for (const page of pages()) {
      for (const block of shBlocks(page, readFileSync(path.join(ROOT, page), 'utf8'))) {
        if (block.kind === 'no-run') expect(block.reason, `${page}:${block.line}`).toMatch(/\w{3,}.*\w{3,}/);
      }
    }
  });

  for (const page of pages()) {
    it(`${page}`, { timeout: 60 * 60_000 }, async () => {
      const blocks = shBlocks(page, readFileSync(path.join(ROOT, page), 'utf8')).filter((b) => b.kind !== 'no-run');
      if (blocks.length === 0) return;
      const cwd = repositoryCopy();
      copies.push(cwd);
      const servers: Started[] = [];
      const problems: string[] = [];
      try {
        for (const block of blocks) {
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
            const code = await within(started.exited, COMMAND_BUDGET_MS);
            if (code === 'late') {
              // Long-running (a whole plan, a fuzz budget): ended as Ctrl-C ends it, once it has shown it starts.
              await stop(started);
              const problem = startProblems(started.output());
              if (problem !== null)
                problems.push(
                  `${where}\n  ended after ${COMMAND_BUDGET_MS} ms, had printed "${problem}":\n${started.output()}`,
                );
              continue;
            }
            if (code !== command.expectedExit)
              problems.push(`${where}\n  exited ${code}, the page says ${command.expectedExit}:\n${started.output()}`);
            else if (!showsOutput(started.output(), command.output))
              problems.push(
                `${where}\n  printed:\n${started.output()}\n  the page says:\n${command.output.join('\n')}`,
              );
          }
        }
      } finally {
        for (const server of servers.reverse()) await stop(server);
      }
      expect(problems).toEqual([]);
    });
  }
});
