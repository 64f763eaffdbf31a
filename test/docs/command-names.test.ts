/**
 * Every `harness <command>` the sources and docs name exists, and every `npx harness ...` line they print or
 * show parses (known command, known flags). Fast: it reads files and runs the argument parser only; the
 * commands themselves run in test/docs/commands.test.ts and test/e2e/printed-commands.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, parseCli } from '../../src/cli/args.ts';
import { isHarnessError } from '../../src/core/errors.ts';
import { repositoryFiles, ROOT } from '../e2e/helpers.ts';

/** The project's own files that users read or that print text: not the tests (their fixtures are made up). */
function projectFiles(): string[] {
  return repositoryFiles()
    .filter((f) => /\.(ts|md)$/.test(f) && !f.startsWith('test/') && !f.startsWith('node_modules/'))
    .filter((f) => !f.startsWith('docs/spec/') || f.endsWith('README.md'));
}

interface Mention {
  file: string;
  line: number;
  text: string;
}

function mentions(pattern: RegExp): Mention[] {
  const found: Mention[] = [];
  for (const file of projectFiles()) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(pattern)) found.push({ file, line: i + 1, text: m[1] ?? m[0] });
    });
  }
  return found;
}

describe('commands named in the sources and docs', () => {
  it('every `harness <command>` is a command the CLI has', () => {
    const unknown = mentions(/`(?:npx )?harness ([a-z][a-z-]*)/g).filter(
      (m) => !(COMMANDS as readonly string[]).includes(m.text),
    );
    expect(unknown.map((m) => `${m.file}:${m.line}: harness ${m.text}`)).toEqual([]);
  });

  it('every `npx harness ...` line parses: a known command with known flags', () => {
    const lines = mentions(/(npx harness(?: [^`'"\n#;|)\\]*)?)/g).filter((m) => !m.text.startsWith('npx harness <'));
    expect(lines.length).toBeGreaterThan(50);
    const bad: string[] = [];
    for (const m of lines) {
      // Placeholders (`<case-id>`, `${file}`) stand for a value; a value's own check is not the point here.
      const words = m.text
        .replace(/\$\{[^}]*\}/g, 'x')
        .trim()
        .split(/\s+/)
        .slice(2)
        .filter((w) => w !== '\\' && w !== '...');
      try {
        parseCli(words);
      } catch (error) {
        const message = isHarnessError(error) ? error.message : String(error);
        if (/Unknown option|unknown command|Unexpected argument/i.test(message))
          bad.push(`${m.file}:${m.line}: ${m.text.trim()}: ${message}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
