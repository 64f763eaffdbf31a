/**
 * Loads vectors/openmobile-profiles/: `catalogs.json` (named catalogs) and every other `*.json` (vectors),
 * each validated against its schema in vectors/schema/, then against the model: a vector's catalog must be
 * valid, its setup requests must succeed, and its `then` must be what the model predicts. Every problem of
 * every file is collected before one HarnessError (exit 2) lists them, each with file, JSON pointer and fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RenamedVector } from '../../src/core/case-ids.ts';
import type { Problem } from '../../src/core/errors.ts';
import { collectVectorDirectory, readJsonFile, shownPath, throwVectorProblems } from '../../src/core/vector-files.ts';
import { modelCatalog, predict } from './model.ts';
import { buildPairVectors, PAIRS_CATALOG } from './pairs.ts';
import { REQUIREMENTS } from './requirements.ts';
import type { ModelEntry, Operation, PortalCatalog, Then, Vector } from './types.ts';

const SCHEMA_DIR = fileURLToPath(new URL('../../vectors/schema/', import.meta.url));
export const CATALOGS_FILE = 'catalogs.json';
/** The profile-service suite's case ids: `omp:<name>` (src/core/case-ids.ts). */
export const CASE_ID_PREFIX = 'omp';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
const compiled = new Map<string, ValidateFunction>();
function validator(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (v === undefined) {
    v = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object);
    compiled.set(file, v);
  }
  return v;
}

export interface LoadedProfileVectors {
  catalogs: Record<string, PortalCatalog>;
  vectors: Vector[];
}

/**
 * Loads and checks the directory (`catalogs.json` first: every vector loads one of its catalogs), the
 * `extraFiles` before its own vectors; `rootDir` makes the file names in problems relative.
 */
export async function loadProfileVectors(
  dir: string,
  rootDir: string,
  options: { extraFiles?: readonly string[]; renamed?: (rename: RenamedVector) => void } = {},
): Promise<LoadedProfileVectors> {
  const problems: Problem[] = [];
  const catalogs: Record<string, PortalCatalog> = {};
  const catalogsPath = path.join(dir, CATALOGS_FILE);
  if (existsSync(catalogsPath)) {
    const file = shownPath(rootDir, catalogsPath);
    const document = await readJsonFile(catalogsPath, file, problems);
    if (
      document !== undefined &&
      schemaCheck(validator('openmobile-profiles.catalogs.schema.json'), document, file, problems)
    ) {
      for (const [name, catalog] of Object.entries(
        (document as { catalogs: Record<string, PortalCatalog> }).catalogs,
      )) {
        try {
          modelCatalog(catalog.profiles);
          catalogs[name] = catalog;
        } catch (error) {
          problems.push({
            file,
            path: `/catalogs/${name}`,
            message: `${(error as Error).message}: fix the catalog, every vector loads it first`,
          });
        }
      }
    }
  }
  const known = new Set(REQUIREMENTS.map((r) => r.id));
  const vectors = await collectVectorDirectory(
    dir,
    {
      rootDir,
      suiteTitle: 'profile-service',
      first: options.extraFiles ?? [],
      skip: [CATALOGS_FILE],
      ids: { prefix: CASE_ID_PREFIX, renamed: options.renamed },
    },
    (document, file, found, seen) => checkDocument(document, file, found, seen, catalogs, known),
    problems,
  );
  vectors.push(...builtPairs(catalogs, vectors));
  throwVectorProblems(problems, 'profile-service');
  return { catalogs, vectors };
}

/** Where the generated vectors say they come from (`source`). */
export const PAIRS_SOURCE = 'builder:stateful-pairs';

/**
 * The generated stateful pairs (pairs.ts), on the portal catalog where catalogs.json has it, each checked
 * against the model as a vector file's are. A disagreement is the harness's own bug.
 */
function builtPairs(catalogs: Readonly<Record<string, PortalCatalog>>, existing: readonly Vector[]): Vector[] {
  if (catalogs[PAIRS_CATALOG] === undefined) return [];
  const ids = new Set(existing.map((v) => v.id));
  return buildPairVectors(catalogs).map((vector) => {
    const disagreement = agreement(vector);
    if (disagreement !== null || ids.has(vector.id)) {
      throw new Error(
        `profile-service stateful pairs: ${vector.id} ${disagreement === null ? 'is also a vector file id' : `${disagreement.path}: ${disagreement.message}`}`,
      );
    }
    return { ...vector, source: PAIRS_SOURCE };
  });
}

/** One vector file's vectors that are sound; the problems of the others are appended. */
function checkDocument(
  document: unknown,
  file: string,
  problems: Problem[],
  seen: Map<string, string>,
  catalogs: Readonly<Record<string, PortalCatalog>>,
  known: ReadonlySet<string>,
): Vector[] {
  if (!schemaCheck(validator('openmobile-profiles.vectors.schema.json'), document, file, problems)) return [];
  const raw = (document as { vectors: (Omit<Vector, 'catalog'> & { catalog: string | PortalCatalog })[] }).vectors;
  const vectors: Vector[] = [];
  raw.forEach((v, index) => {
    const pointer = `/vectors/${index}`;
    const where = seen.get(v.id);
    if (where !== undefined) {
      problems.push({
        file,
        path: `${pointer}/id`,
        message: `duplicate vector id "${v.id}" (also in ${where}): rename one`,
      });
    }
    seen.set(v.id, file);
    v.requirements.forEach((r, i) => {
      if (!known.has(r)) {
        problems.push({
          file,
          path: `${pointer}/requirements/${i}`,
          message: `unknown requirement "${r}": use one of suites/openmobile-profiles/requirements.ts`,
        });
      }
    });
    const catalog = typeof v.catalog === 'string' ? catalogs[v.catalog] : v.catalog;
    if (catalog === undefined) {
      problems.push({
        file,
        path: `${pointer}/catalog`,
        message: `no catalog "${String(v.catalog)}" in ${CATALOGS_FILE}: use one of ${Object.keys(catalogs).join(', ') || '(none)'}`,
      });
      return;
    }
    const vector: Vector = { ...v, catalog, source: file };
    const disagreement = agreement(vector);
    if (disagreement !== null) {
      problems.push({ file, path: `${pointer}/${disagreement.path} (${v.id})`, message: disagreement.message });
      return;
    }
    vectors.push(vector);
  });
  return vectors;
}

/** The operations a vector sends, in order: load its catalog, the setup, the request under test. */
export function operationsOf(vector: Vector): Operation[] {
  return [{ op: 'put-catalog', catalog: vector.catalog }, ...(vector.given ?? []), vector.when];
}

/** Whether the model agrees with the vector; the first disagreement otherwise. */
export function agreement(vector: Vector): { path: string; message: string } | null {
  let state: ModelEntry[] = [];
  const ops = operationsOf(vector);
  for (const [i, op] of ops.entries()) {
    const prediction = predict(state, op);
    const last = i === ops.length - 1;
    if (!last) {
      // A kept fuzz failure replays the generated sequence as it was, rejected requests included; every step
      // is judged against the model either way. A hand-written setup that fails is a mistake in the vector.
      if (prediction.status >= 400 && vector.area !== 'regressions') {
        return {
          path: i === 0 ? 'catalog' : `given/${i - 1}`,
          message: `this setup request must succeed, but the model predicts ${prediction.status}: fix it`,
        };
      }
      if (prediction.kind === 'replaced' || prediction.kind === 'patched') state = prediction.next;
      if (prediction.kind === 'created') state = prediction.next(Math.max(0, ...state.map((e) => e.id)) + 1);
      continue;
    }
    const problem = thenProblem(vector.then, prediction);
    return problem === null ? null : { path: 'then', message: `${problem}: fix the vector (or the model)` };
  }
  return null;
}

function thenProblem(then: Then, prediction: ReturnType<typeof predict>): string | null {
  if (then.status !== prediction.status)
    return `the model predicts ${prediction.status}, the vector says ${then.status}`;
  if (then.selects !== undefined) {
    if (prediction.kind !== 'profile') return 'the vector names a selected profile, but nothing is selected';
    const p = prediction.profile;
    if (p.id !== then.selects.id || p.platform !== then.selects.platform || p.mode !== then.selects.mode) {
      return `the model selects ${p.id} ${p.platform} ${p.mode}, the vector says ${then.selects.id} ${then.selects.platform} ${then.selects.mode}`;
    }
  } else if (prediction.kind === 'profile') {
    return `say which profile is selected: "selects": { "id": ${prediction.profile.id}, "platform": "${prediction.profile.platform}", "mode": "${prediction.profile.mode}" }`;
  }
  if (then.rejects !== undefined) {
    if (prediction.kind !== 'rejected') return 'the vector names a rejection, but the model accepts the request';
    const { id, field } = then.rejects;
    if (!prediction.violations.some((x) => x.id === id && x.field === field)) {
      return `the model's violations are ${prediction.violations.map((x) => `${String(x.id)}/${x.field}`).join(', ')}, not ${String(id)}/${field}`;
    }
  } else if (prediction.kind === 'rejected') {
    const first = prediction.violations[0];
    return `say what is rejected: "rejects": { "id": ${String(first?.id ?? null)}, "field": "${first?.field ?? '?'}" }`;
  }
  return null;
}

function schemaCheck(validate: ValidateFunction, document: unknown, file: string, problems: Problem[]): boolean {
  if (validate(document)) return true;
  for (const e of validate.errors ?? [])
    problems.push({ file, path: e.instancePath || '/', message: schemaMessage(e) });
  return false;
}

function schemaMessage(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(e.params['additionalProperty'])}": remove it or fix its spelling`;
    case 'required':
      return `missing field "${String(e.params['missingProperty'])}": add it`;
    case 'enum':
      return `must be one of ${JSON.stringify(e.params['allowedValues'])}`;
    default:
      return `${e.message ?? 'invalid'}: see vectors/schema/ for the format`;
  }
}
