/**
 * Loads and validates the Open Mobile suite's data: the fixed vectors (vectors/openmobile/*.json) and the
 * profile catalog (profiles.json). Every problem in every file is collected before anything is thrown, so
 * one run of the harness shows a vector author all their mistakes at once, each with a JSON pointer and
 * the fix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RenamedVector } from '../../src/core/case-ids.ts';
import { HarnessError, nearest, type Problem } from '../../src/core/errors.ts';
import { isRecord } from '../../src/core/json.ts';
import { collectVectorDirectory, readJsonFile, shownPath, throwVectorProblems } from '../../src/core/vector-files.ts';
import type { Catalog, CatalogProfile, Platform } from '../../protocols/openmobile/types.ts';
import { methodsOf } from './routes.ts';
import type { ChoiceOutcome, Outcome, Vector } from './types.ts';

const SCHEMA_DIR = fileURLToPath(new URL('../../vectors/schema/', import.meta.url));
const CATALOG_FILE_NAME = 'profiles.json';
/** The Open Mobile suite's case ids: `om:<name>@<platform>-<method>` (src/core/case-ids.ts). */
export const CASE_ID_PREFIX = 'om';

/** The result codes of the specification (Tables 2 and 4); the schema only bounds them to 0..33. */
const SPEC_RESULT_CODES: ReadonlySet<number> = new Set([0, 1, 2, 10, 11, 20, 21, 22, 23, 30, 31, 32, 33]);

export interface LoadVectorOptions {
  /** Load these files (absolute paths) instead of every file of the directory. */
  files?: string[];
  /** When given, every requirement ID a vector names must be in this set. */
  knownRequirements?: ReadonlySet<string>;
  /** Problem paths and `Vector.source` are relative to this directory. Default: `process.cwd()`. */
  rootDir?: string;
  /** Told of each vector whose file gives its id in a former form (it loads under its new id). */
  renamed?: (rename: RenamedVector) => void;
}

// ---------------------------------------------------------------------------------------------------------
// Schemas

// ajv (with `verbose`) hands each error its parent schema and data, which the messages below need to say
// what is allowed and how to fix it.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, verbose: true });
const validators = new Map<string, ValidateFunction>();

/**
 * Compiled once per schema file. Read synchronously so validateVectors (called by builders, which are
 * synchronous) and the async loaders share one validator; it happens once per process.
 */
function validatorFor(schemaFile: string): ValidateFunction {
  let validator = validators.get(schemaFile);
  if (!validator) {
    // The vectors schema refers to the catalog schema (a vector's own catalog): ajv must know it first.
    if (schemaFile === 'vectors.schema.json') validatorFor('profiles.schema.json');
    validator = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMA_DIR, schemaFile), 'utf8')) as object);
    validators.set(schemaFile, validator);
  }
  return validator;
}

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * Reads every `*.json` vector file in `dir` (not `profiles.json`), validates each against
 * vectors/schema/vectors.schema.json and the semantic rules, and returns all vectors with `source` set to
 * the file's path relative to `rootDir`. Throws one `HARNESS_VECTORS_INVALID` HarnessError listing every
 * problem in every file.
 */
export async function loadVectorFiles(dir: string, options: LoadVectorOptions = {}): Promise<Vector[]> {
  const validate = validatorFor('vectors.schema.json');
  const problems: Problem[] = [];
  const vectors = await collectVectorDirectory(
    dir,
    {
      rootDir: options.rootDir ?? process.cwd(),
      suiteTitle: 'Open Mobile',
      skip: [CATALOG_FILE_NAME],
      ...(options.files ? { files: options.files } : {}),
      ids: { prefix: CASE_ID_PREFIX, renamed: options.renamed },
    },
    (document, file, found, seen) => checkDocument(document, file, validate, options, seen, found),
    problems,
  );
  throwVectorProblems(problems, 'Open Mobile');
  return vectors;
}

/**
 * Validates vectors built in code (a builder's output) exactly as a vector file is validated; pointers are
 * `/vectors/<index>/...` and `file` is `source` (e.g. `builder:omission`). Returns the problems found.
 */
export function validateVectors(
  vectors: Vector[],
  source: string,
  options: Pick<LoadVectorOptions, 'knownRequirements'> = {},
): Problem[] {
  const validate = validatorFor('vectors.schema.json');
  // `source` is set by whoever produced the vector, never written in a file, so the schema does not know it.
  const document = { vectors: vectors.map(({ source: _source, ...rest }) => rest) };
  const problems: Problem[] = [];
  checkDocument(document, source, validate, options, new Map(), problems);
  return problems;
}

/**
 * Reads and validates a profile catalog against vectors/schema/profiles.schema.json plus the portal's rules
 * the schema cannot express. Throws one `HARNESS_VECTORS_INVALID` HarnessError listing every problem.
 */
export async function loadCatalog(file: string, options: Pick<LoadVectorOptions, 'rootDir'> = {}): Promise<Catalog> {
  const shown = shownPath(options.rootDir ?? process.cwd(), file);
  const validate = validatorFor('profiles.schema.json');
  const problems: Problem[] = [];
  const document = await readJsonFile(file, shown, problems);
  if (document !== undefined) {
    const errors = validate(document) ? [] : (validate.errors ?? []);
    problems.push(...schemaProblems(errors, shown));
    // The portal's rules run on the entries whose shape is right, so one run reports both kinds.
    const broken = brokenIndexes(errors, 'profiles');
    const profiles = isRecord(document) ? document['profiles'] : undefined;
    if (Array.isArray(profiles)) problems.push(...catalogRuleProblems(profiles as CatalogProfile[], broken, shown));
  }
  if (problems.length > 0) {
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `${problems.length} ${plural(problems.length, 'problem')} in profile catalog ${shown}`,
      problems,
    );
  }
  const catalog = document as Catalog;
  return { profiles: catalog.profiles };
}

// ---------------------------------------------------------------------------------------------------------
// One document

function checkDocument(
  document: unknown,
  file: string,
  validate: ValidateFunction,
  options: Pick<LoadVectorOptions, 'knownRequirements'>,
  seenIds: Map<string, string>,
  problems: Problem[],
): Vector[] {
  const valid = validate(document);
  const errors = valid ? [] : (validate.errors ?? []);
  problems.push(...schemaProblems(errors, file));

  const list = isRecord(document) ? document['vectors'] : undefined;
  if (!Array.isArray(list)) return [];
  // Semantic rules only make sense on a vector whose shape is right; a broken vector has its schema
  // problems reported already, and its id still takes part in the uniqueness check.
  const broken = brokenIndexes(errors, 'vectors');
  const vectors: Vector[] = [];
  list.forEach((raw: unknown, index) => {
    const pointer = `/vectors/${index}`;
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string') {
      const first = seenIds.get(id);
      if (first) {
        problems.push({
          file,
          path: `${pointer}/id`,
          message: `duplicate vector id "${id}" (already used in ${first}): give this vector a new id`,
        });
      } else seenIds.set(id, `${file} at ${pointer}/id`);
    }
    if (broken.has(index)) return;
    const vector = raw as Vector;
    problems.push(...vectorRuleProblems(vector, pointer, file, options.knownRequirements));
    vectors.push(vector);
  });
  return vectors;
}

// ---------------------------------------------------------------------------------------------------------
// Semantic rules of one vector

function vectorRuleProblems(
  v: Vector,
  pointer: string,
  file: string,
  knownRequirements: ReadonlySet<string> | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const add = (at: string, message: string): void => {
    problems.push({ file, path: `${pointer}${at}`, message });
  };

  if (v.when.url !== undefined) {
    if (!v.platforms)
      add('', 'a vector with "when.url" must name its platforms: add "platforms": ["ios"] or ["android"]');
    if (!v.methods) add('', 'a vector with "when.url" must name its methods: add "methods": ["url"] or ["intent"]');
  }

  const platforms: Platform[] = v.platforms ?? ['ios', 'android'];
  if (v.methods) {
    v.methods.forEach((method, i) => {
      if (!platforms.some((p) => methodsOf(p).includes(method))) {
        add(
          `/methods/${i}`,
          `method "${method}" exists on no platform of this vector (${platforms.join(', ')}): intent is Android only, remove "${method}" or add "android" to platforms`,
        );
      }
    });
    for (const platform of platforms) {
      if (!v.methods.some((m) => methodsOf(platform).includes(m))) {
        add(
          v.platforms ? '/platforms' : '',
          `platform "${platform}" has none of the methods ${quoteList(v.methods)} (it has ${quoteList(methodsOf(platform))}): ${v.platforms ? `remove "${platform}" from platforms` : `add "platforms": [${quoteList(platforms.filter((p) => p !== platform))}]`}`,
        );
      }
    }
  }

  if (knownRequirements) {
    v.requirements.forEach((req, i) => {
      if (!knownRequirements.has(req)) {
        const near = nearest(req, [...knownRequirements]);
        add(
          `/requirements/${i}`,
          `unknown requirement "${req}"${near ? `: did you mean "${near}"?` : ': use an ID from suites/openmobile/requirements.ts'}`,
        );
      }
    });
  }

  const queries: [string, string][] = [];
  v.given?.forEach((q, i) => queries.push([`/given/${i}`, q]));
  if (v.when.query !== undefined) queries.push(['/when/query', v.when.query]);
  if (v.when.concurrent !== undefined) queries.push(['/when/concurrent', v.when.concurrent]);
  for (const [at, q] of queries) {
    if (q.startsWith('?')) add(at, `a query has no leading "?": change "${q}" to "${q.slice(1)}"`);
  }

  const outcomes: [string, Outcome | ChoiceOutcome][] =
    'oneOf' in v.then ? v.then.oneOf.map((o, i) => [`/then/oneOf/${i}`, o]) : [['/then', v.then]];
  for (const [at, outcome] of outcomes) {
    outcomeProblems(v, platforms, outcome, (sub, message) => add(`${at}${sub}`, message));
  }
  return problems;
}

function outcomeProblems(
  v: Vector,
  platforms: Platform[],
  o: Outcome,
  add: (at: string, message: string) => void,
): void {
  const state = o.state;
  if (!o.handled) {
    if (o.result) add('/result', 'a request that is not handled reports no result: remove "result"');
    if (state !== undefined && state !== 'unchanged') {
      add('/state', 'a request that is not handled changes nothing: write "state": "unchanged"');
    }
  }
  o.result?.forEach((code, i) => {
    if (!SPEC_RESULT_CODES.has(code)) {
      add(
        `/result/${i}`,
        `${code} is not a result code of the specification: use one of ${[...SPEC_RESULT_CODES].join(', ')}`,
      );
    }
    if (code === 22 && platforms.includes('android')) {
      add(
        `/result/${i}`,
        'Android has no result 22 (Table 4): add "platforms": ["ios"] or move the Android outcome to its own vector',
      );
    }
  });
  const failing = o.result?.filter((c) => c !== 0) ?? [];
  if (o.handled && failing.length > 0 && state !== undefined && state !== 'unchanged') {
    add(
      '/state',
      `a failing request (result ${failing.join(' or ')}) leaves the state as it was: write "state": "unchanged"`,
    );
  }
  if (o.concurrentResult && v.when.concurrent === undefined) {
    add('/concurrentResult', '"concurrentResult" needs "when.concurrent": add the concurrent query or remove it');
  }
  if (v.when.concurrent !== undefined && o.handled && !o.concurrentResult) {
    add('', '"when.concurrent" needs "concurrentResult": add the codes the concurrent request may get, e.g. [1]');
  }
  const callback = o.delivery?.callbackUrl;
  if (typeof callback === 'string' && platforms.includes('android')) {
    add('/delivery/callbackUrl', 'a callback URL is iOS only: add "platforms": ["ios"] or remove "callbackUrl"');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Catalog rules

function catalogRuleProblems(profiles: CatalogProfile[], broken: ReadonlySet<number>, file: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const favorites = new Map<string, number>();
  profiles.forEach((p, i) => {
    if (broken.has(i)) return;
    const at = `/profiles/${i}`;
    const key = `${p.id}/${p.platform}/${p.mode}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        file,
        path: at,
        message: `profile ${p.id} for ${p.platform} in ${p.mode} mode is already defined at /profiles/${first}: change its id, platform or mode, or remove one`,
      });
    } else seen.set(key, i);
    if (p.favorite) {
      if (p.pin !== null) {
        problems.push({
          file,
          path: `${at}/pin`,
          message: 'a favorite profile has no PIN (the Profile Finder does not check one): set "pin": null',
        });
      }
      const fkey = `${p.company}/${p.platform}/${p.mode}`;
      const other = favorites.get(fkey);
      if (other !== undefined) {
        problems.push({
          file,
          path: `${at}/favorite`,
          message: `${p.company} already has a ${p.platform} ${p.mode} favorite at /profiles/${other}: set "favorite": false on one of them`,
        });
      } else favorites.set(fkey, i);
    }
  });
  return problems;
}

/** Indexes of the items of the top-level array `key` that have a schema error. */
function brokenIndexes(errors: ErrorObject[], key: string): Set<number> {
  const broken = new Set<number>();
  const pattern = new RegExp(`^/${key}/(\\d+)`);
  for (const e of errors) {
    const m = pattern.exec(e.instancePath);
    if (m) broken.add(Number(m[1]));
  }
  return broken;
}

// ---------------------------------------------------------------------------------------------------------
// Turning ajv errors into problems that say the fix

function schemaProblems(errors: ErrorObject[], file: string): Problem[] {
  // A `oneOf` between alternatives (exactly one of "query" or "url") is reported once, by its own message;
  // the failures of each alternative would only repeat it.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  // A misspelt required property is one mistake: the "unknown property, rename it to X" message says it
  // all, so the "missing property X" of the same object is dropped.
  const renamed = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const allowed = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
    const near = nearest(String((e.params as Record<string, unknown>)['additionalProperty']), allowed);
    if (near !== undefined) renamed.add(`${e.instancePath}\n${near}`);
  }
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    if (oneOfPaths.some((p) => e.schemaPath.startsWith(p))) continue;
    if (
      e.keyword === 'required' &&
      renamed.has(`${e.instancePath}\n${String((e.params as Record<string, unknown>)['missingProperty'])}`)
    )
      continue;
    const { at, message } = describe(e);
    const key = `${at}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, path: at, message });
  }
  return problems;
}

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  oneOf?: { required?: string[] }[];
  not?: { required?: string[] };
  pattern?: string;
}

function describe(e: ErrorObject): { at: string; message: string } {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const at = e.instancePath;
  switch (e.keyword) {
    case 'required': {
      const name = String(params['missingProperty']);
      const what = parent.properties?.[name]?.description;
      return { at, message: `missing property "${name}"${what ? ` (${what})` : ''}: add it` };
    }
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const allowed = Object.keys(parent.properties ?? {});
      const near = nearest(name, allowed);
      return {
        at: `${at}/${escapePointer(name)}`,
        message: `unknown property "${name}": ${near ? `rename it to "${near}"` : 'remove it'}; allowed here: ${quoteList(allowed)}`,
      };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]) ?? [];
      const near =
        typeof e.data === 'string'
          ? nearest(
              e.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : undefined;
      return {
        at,
        message: `must be one of ${quoteList(allowed)}: ${near ? `change ${json(e.data)} to ${json(near)}` : `got ${json(e.data)}`}`,
      };
    }
    case 'const':
      return {
        at,
        message: `must be ${json(params['allowedValue'])} or an object: change ${json(e.data)} to ${json(params['allowedValue'])}`,
      };
    case 'pattern': {
      const pattern = String(params['pattern']);
      const name = (e as { propertyName?: string }).propertyName;
      const value = name ?? (typeof e.data === 'string' ? e.data : '');
      // A requirement ID is written in capitals, a vector id in lower case: offer whichever spelling fits.
      const fixed = [value.toUpperCase(), value.toLowerCase()]
        .map((v) => v.replace(/_/g, '-').replace(/\s+/g, '-'))
        .find((v) => new RegExp(pattern, 'u').test(v));
      const hint = fixed !== undefined ? `change it to "${fixed}"` : `write it to match ${pattern}`;
      return {
        at: name ? `${at}/${escapePointer(name)}` : at,
        message: `${name ? 'name ' : ''}"${value}" must match ${pattern}: ${hint}`,
      };
    }
    case 'type': {
      const expected = String(params['type']).split(',').join(' or ');
      const actual = e.data === null ? 'null' : Array.isArray(e.data) ? 'array' : typeof e.data;
      const hint =
        typeof e.data === 'string' && /integer|number/.test(expected) && /^-?\d+$/.test(e.data)
          ? `write ${e.data} without quotes`
          : expected.includes('array') && actual !== 'array'
            ? `wrap it in a list: [${json(e.data)}]`
            : `change it to ${article(expected)} ${expected}`;
      return { at, message: `must be ${article(expected)} ${expected}, got ${actual} ${json(e.data)}: ${hint}` };
    }
    case 'minimum':
    case 'maximum': {
      const range = /\/result|concurrentResult/.test(at)
        ? 'a result code from 0 to 33'
        : `${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}`;
      return { at, message: `must be ${range}, got ${json(e.data)}: change it` };
    }
    case 'minItems':
      return {
        at,
        message: `must have at least ${String(params['limit'])} ${plural(Number(params['limit']), 'item')}: add ${Number(params['limit']) > 1 ? 'items' : 'one'} or remove the property`,
      };
    case 'uniqueItems':
      return { at, message: `items ${String(params['j'])} and ${String(params['i'])} are the same: remove one` };
    case 'minLength':
      return {
        at,
        message: /\/settings\//.test(at)
          ? 'must not be "": a zero-length value erases the setting, so write null'
          : 'must not be empty: write a value or remove the property',
      };
    case 'oneOf': {
      const names = (parent.oneOf ?? []).flatMap((b) => b.required ?? []);
      if (names.length > 0) {
        return Array.isArray(params['passingSchemas'])
          ? { at, message: `has both ${quoteList(names, ' and ')}: keep exactly one` }
          : { at, message: `needs one of ${quoteList(names, ' or ')}: add one` };
      }
      return { at, message: `${e.message ?? 'is invalid'}: match exactly one of the allowed forms` };
    }
    case 'not': {
      const names = parent.not?.required ?? [];
      const kind = (e.data as { kind?: unknown } | null)?.kind;
      const context = typeof kind === 'string' ? ` with kind ${json(kind)}` : ' here';
      return { at, message: `must not have ${quoteList(names, ' or ')}${context}: remove it` };
    }
    default:
      return { at, message: `${e.message ?? 'is invalid'}: see ${e.schemaPath} in the schema` };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function quoteList(values: readonly unknown[], separator = ', '): string {
  return values.map((v) => json(v)).join(separator);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
