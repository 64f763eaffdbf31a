import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { renameFormerIds, type RenamedVector } from './case-ids.ts';
import { HarnessError, type Problem } from './errors.ts';

/**
 * Reading a suite's vector files: every `*.json` of its directory, and extra files beside it (a kept fuzz
 * failure to replay). What a document must contain is the suite's `check`; this collects every problem of
 * every file and throws them at once (HARNESS_VECTORS_INVALID, exit 2), each with its file.
 */

/** Checks one parsed document; appends its problems, returns its sound vectors. `seen`: id -> file. */
export type CheckVectorDocument<V> = (
  document: unknown,
  file: string,
  problems: Problem[],
  seen: Map<string, string>,
) => V[];

/**
 * The suite's case-id prefix: a vector whose id a file gives in a former form loads under its conventional
 * id, and `renamed` is told (src/core/case-ids.ts).
 */
export interface FormerIds {
  prefix: string;
  renamed?: ((rename: RenamedVector) => void) | undefined;
}

interface Identified {
  id: string;
  source?: string;
}

/** A path as problems show it: relative to the project, with forward slashes. */
function shownPath(rootDir: string, file: string): string {
  return path.relative(rootDir, path.resolve(rootDir, file)).split(path.sep).join('/') || file;
}

/** Every `*.json` file of `dir` (or `files`), sorted, with `source` set to each vector's file. */
export async function loadVectorDirectory<V extends Identified>(
  dir: string,
  options: { rootDir: string; suiteTitle: string; files?: string[]; ids?: FormerIds },
  check: CheckVectorDocument<V>,
): Promise<V[]> {
  const { rootDir, suiteTitle } = options;
  let names: string[];
  try {
    names = options.files ?? (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    const file = shownPath(rootDir, dir);
    throw new HarnessError('HARNESS_VECTORS_INVALID', `cannot read the ${suiteTitle} vector directory ${file}`, [
      {
        file,
        path: '',
        message: `${(error as NodeJS.ErrnoException).code ?? String(error)}: create it or fix the vectors path`,
      },
    ]);
  }
  const problems: Problem[] = [];
  const vectors: V[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const absolute = path.isAbsolute(name) ? name : path.join(dir, name);
    const file = shownPath(rootDir, absolute);
    let document: unknown;
    try {
      document = JSON.parse(await readFile(absolute, 'utf8'));
    } catch (error) {
      problems.push({
        file,
        path: '',
        message: `not valid JSON (${error instanceof Error ? error.message : String(error)}): fix the syntax`,
      });
      continue;
    }
    if (options.ids) renameFormerIds(document, file, options.ids.prefix, options.ids.renamed);
    for (const vector of check(document, file, problems, seen)) vectors.push({ ...vector, source: file });
  }
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.file)).size;
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} ${suiteTitle} vector file${files === 1 ? '' : 's'}`,
      problems,
    );
  }
  return vectors;
}

/** A vector file given beside the suite's directory, its ids checked against the vectors already loaded. */
export async function loadExtraVectorFile<V extends Identified>(
  file: string,
  rootDir: string,
  existing: readonly V[],
  check: CheckVectorDocument<V>,
  ids?: FormerIds,
): Promise<V[]> {
  const shown = path.relative(rootDir, file) || file;
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `cannot read ${shown}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (ids) renameFormerIds(document, shown, ids.prefix, ids.renamed);
  const problems: Problem[] = [];
  const seen = new Map(existing.map((v) => [v.id, v.source ?? '?']));
  const vectors = check(document, shown, problems, seen);
  if (problems.length > 0)
    throw new HarnessError('HARNESS_VECTORS_INVALID', `${problems.length} problem(s) in ${shown}`, problems);
  return vectors.map((v) => ({ ...v, source: shown }));
}
