import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { renameFormerIds, type RenamedVector } from './case-ids.ts';
import { HarnessError, type Problem } from './errors.ts';
import { jsonSyntaxMessage } from './json.ts';
import type { CaseSource } from './results.ts';

/**
 * Reading a suite's vector files, the one loader of every suite: every `*.json` of its directory, and extra
 * files beside it (a kept fuzz failure to replay). What a document must contain is the suite's `check`;
 * this collects every problem of every file and throws them at once (HARNESS_VECTORS_INVALID, exit 2), each
 * with its file, its JSON pointer and the fix, so one run shows a vector author all their mistakes.
 */

/**
 * Checks one parsed document; appends its problems, returns its sound vectors. `seen`: each id met so far
 * -> where (the file, and the pointer if the check records one), for a duplicate's message.
 */
export type CheckVectorDocument<V> = (
  document: unknown,
  file: string,
  problems: Problem[],
  seen: Map<string, string>,
) => V[];

interface Identified {
  id: string;
  /** The file it was read from, relative to the root directory (set by the loader). */
  source?: string;
  /** The line its object starts on in `source`, 1-based (set by the loader). */
  line?: number;
}

export interface VectorDirectoryOptions {
  /** Problems and `source` show paths relative to this directory. */
  rootDir: string;
  /** The suite as a user knows it, for the messages: `Swivel`, `Open Mobile`. */
  suiteTitle: string;
  /** These files (absolute, or relative to the directory) instead of the directory's `*.json`. */
  files?: readonly string[];
  /** Files (absolute, or relative to the working directory) loaded before the directory's own: kept fuzz
   * failures, so a known failure fails first. */
  first?: readonly string[];
  /** Names in the directory that are not vector files (a catalog beside them). */
  skip?: readonly string[];
  /** The suite's case-id prefix: a vector a file gives under a former id loads under its new one. */
  ids?: FormerIds;
}

/**
 * The suite's case-id prefix: a vector whose id a file gives in a former form loads under its conventional
 * id, and `renamed` is told (src/core/case-ids.ts).
 */
export interface FormerIds {
  prefix: string;
  renamed?: ((rename: RenamedVector) => void) | undefined;
}

/** A path as problems show it: relative to the project, with forward slashes. */
export function shownPath(rootDir: string, file: string): string {
  return path.relative(rootDir, path.resolve(rootDir, file)).split(path.sep).join('/') || file;
}

/** What a failed read means, for the start of a problem's message. */
function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EISDIR') return 'a directory, not a file';
  if (code === 'EACCES') return 'not readable (permission denied)';
  return error instanceof Error ? error.message : String(error);
}

/**
 * One JSON file a user wrote, parsed; `undefined` after appending the problem (`shown`: the file as problems
 * name it) when it cannot be read or is not JSON, with the line and column of a syntax error.
 */
export async function readJsonFile(absolute: string, shown: string, problems: Problem[]): Promise<unknown> {
  return (await readJsonText(absolute, shown, problems))?.document;
}

/** {@link readJsonFile}, with the text it parsed. */
async function readJsonText(
  absolute: string,
  shown: string,
  problems: Problem[],
): Promise<{ document: unknown; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    problems.push({ file: shown, path: '', message: `${fsReason(error)}: check the file name` });
    return undefined;
  }
  try {
    return { document: JSON.parse(text) as unknown, text };
  } catch (error) {
    problems.push({ file: shown, path: '', message: jsonSyntaxMessage(text, error) });
    return undefined;
  }
}

/**
 * Every vector of the directory's `*.json` files (sorted by name; or of `options.files`), with `source` set
 * to its file; the problems are appended, not thrown, so a suite can add those of its other files (a
 * catalog) before {@link throwVectorProblems}. A directory that cannot be read is thrown at once.
 */
export async function collectVectorDirectory<V extends Identified>(
  dir: string,
  options: VectorDirectoryOptions,
  check: CheckVectorDocument<V>,
  problems: Problem[],
  seen: Map<string, string> = new Map(),
): Promise<V[]> {
  const { rootDir, suiteTitle } = options;
  let names: readonly string[];
  try {
    names =
      options.files ??
      (await readdir(dir)).filter((n) => n.endsWith('.json') && !(options.skip ?? []).includes(n)).sort();
  } catch (error) {
    const file = shownPath(rootDir, dir);
    throw new HarnessError('HARNESS_VECTORS_INVALID', `cannot read the ${suiteTitle} vector directory ${file}`, [
      { file, path: '', message: `${fsReason(error)}: create it or fix the vectors path` },
    ]);
  }
  const files = [
    ...new Set([...(options.first ?? []).map((f) => path.resolve(f)), ...names.map((n) => path.resolve(dir, n))]),
  ];
  const vectors: V[] = [];
  for (const absolute of files) {
    const file = shownPath(rootDir, absolute);
    const read = await readJsonText(absolute, file, problems);
    if (read === undefined) continue;
    if (options.ids) renameFormerIds(read.document, file, options.ids.prefix, options.ids.renamed);
    const lines = linesOfIds(read.document, read.text);
    for (const vector of check(read.document, file, problems, seen)) vectors.push(located(vector, file, lines));
  }
  return vectors;
}

/** The vector with the file it came from and the line it starts on there. */
function located<V extends Identified>(vector: V, file: string, lines: ReadonlyMap<string, number>): V {
  const line = lines.get(vector.id);
  return { ...vector, source: file, ...(line === undefined ? {} : { line }) };
}

/**
 * Each vector's id (as the document holds it now, after any renaming) -> the line its object starts on:
 * the elements of the top-level `vectors` array, found by scanning the text (JSON.parse keeps no positions).
 */
export function linesOfIds(document: unknown, text: string): Map<string, number> {
  const out = new Map<string, number>();
  const list = (document as { vectors?: unknown } | null)?.vectors;
  if (!Array.isArray(list)) return out;
  const starts = vectorArrayElementLines(text);
  list.forEach((vector: unknown, index) => {
    const id = (vector as { id?: unknown } | null)?.id;
    const line = starts[index];
    if (typeof id === 'string' && line !== undefined && !out.has(id)) out.set(id, line);
  });
  return out;
}

/** The 1-based line of each element of the top-level object's `vectors` array, in order. */
export function vectorArrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  // Containers open: '{' or '['; the array of vectors is the '[' opened at depth 1 after the key "vectors".
  const stack: string[] = [];
  let lastKey: string | null = null;
  let inVectors = -1;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    const atElementStart = inVectors >= 0 && stack.length === inVectors + 1 && expectValue;
    if (atElementStart && c !== ']' && c !== ',') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') {
      let j = i + 1;
      let raw = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') raw += text[j++];
        raw += text[j++] ?? '';
      }
      // A key of the top-level object (followed by ':').
      if (stack.length === 1 && stack[0] === '{' && /^\s*:/.test(text.slice(j + 1, j + 20))) {
        try {
          lastKey = JSON.parse(`"${raw}"`) as string;
        } catch {
          lastKey = null;
        }
      }
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c);
      if (c === '[' && stack.length === 2 && stack[0] === '{' && lastKey === 'vectors' && inVectors < 0) {
        inVectors = 1;
        expectValue = true;
      }
      continue;
    }
    if (c === '}' || c === ']') {
      if (c === ']' && inVectors >= 0 && stack.length === inVectors + 1) inVectors = -2;
      stack.pop();
      continue;
    }
    if (c === ',' && inVectors >= 0 && stack.length === inVectors + 1) expectValue = true;
  }
  return lines;
}

/** Throws every problem at once (HARNESS_VECTORS_INVALID), headed by how many in how many files; or nothing. */
export function throwVectorProblems(problems: readonly Problem[], suiteTitle: string): void {
  if (problems.length === 0) return;
  const files = new Set(problems.map((p) => p.file)).size;
  throw new HarnessError(
    'HARNESS_VECTORS_INVALID',
    `${problems.length} ${plural(problems.length, 'problem')} in ${files} ${suiteTitle} vector ${plural(files, 'file')}`,
    [...problems],
  );
}

/** {@link collectVectorDirectory}, then {@link throwVectorProblems}: the vectors, or every problem thrown. */
export async function loadVectorDirectory<V extends Identified>(
  dir: string,
  options: VectorDirectoryOptions,
  check: CheckVectorDocument<V>,
): Promise<V[]> {
  const problems: Problem[] = [];
  const vectors = await collectVectorDirectory(dir, options, check, problems);
  throwVectorProblems(problems, options.suiteTitle);
  return vectors;
}

/**
 * A vector file given beside the suite's directory (absolute, or relative to the working directory), its ids
 * checked against the vectors already loaded.
 */
export async function loadExtraVectorFile<V extends Identified>(
  file: string,
  rootDir: string,
  existing: readonly V[],
  check: CheckVectorDocument<V>,
  ids?: FormerIds,
): Promise<V[]> {
  const absolute = path.resolve(file);
  const shown = shownPath(rootDir, absolute);
  const problems: Problem[] = [];
  const read = await readJsonText(absolute, shown, problems);
  const document = read?.document;
  const text = read?.text ?? '';
  if (ids && document !== undefined) renameFormerIds(document, shown, ids.prefix, ids.renamed);
  const seen = new Map(existing.map((v) => [v.id, v.source ?? '?']));
  const vectors = document === undefined ? [] : check(document, shown, problems, seen);
  const lines = document === undefined ? new Map<string, number>() : linesOfIds(document, text);
  if (problems.length > 0)
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `${problems.length} ${plural(problems.length, 'problem')} in ${shown}`,
      problems,
    );
  return vectors.map((v) => located(v, shown, lines));
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/**
 * A planned case's `source` from its vector's (the file the loader read it from, and its line), or nothing
 * for a generated vector (`builder:<name>`: no file holds it).
 */
export function caseSourceOf(vector: { source?: string; line?: number }): { source?: CaseSource } {
  if (vector.source === undefined || /^[a-z][a-z0-9-]+:/.test(vector.source)) return {};
  return { source: { file: vector.source, ...(vector.line === undefined ? {} : { line: vector.line }) } };
}
