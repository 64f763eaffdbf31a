import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { renameFormerIds, type RenamedVector } from './case-ids.ts';
import { HarnessError, type Problem } from './errors.ts';
import { jsonSyntaxMessage } from './json.ts';

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
  source?: string;
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
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    problems.push({ file: shown, path: '', message: `${fsReason(error)}: check the file name` });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
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
    const document = await readJsonFile(absolute, file, problems);
    if (document === undefined) continue;
    if (options.ids) renameFormerIds(document, file, options.ids.prefix, options.ids.renamed);
    for (const vector of check(document, file, problems, seen)) vectors.push({ ...vector, source: file });
  }
  return vectors;
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
  const document = await readJsonFile(absolute, shown, problems);
  if (ids && document !== undefined) renameFormerIds(document, shown, ids.prefix, ids.renamed);
  const seen = new Map(existing.map((v) => [v.id, v.source ?? '?']));
  const vectors = document === undefined ? [] : check(document, shown, problems, seen);
  if (problems.length > 0)
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `${problems.length} ${plural(problems.length, 'problem')} in ${shown}`,
      problems,
    );
  return vectors.map((v) => ({ ...v, source: shown }));
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
