/**
 * Loads the Swivel vectors (vectors/swivel/*.json): the schema (vectors/schema/swivel-vectors.schema.json),
 * then the rules a schema cannot say (known requirement ids, names defined before use, cluster and clock
 * steps declared in `requires`), then agreement with the model: every `expect` a vector writes must be what
 * the model predicts, or one of the two is wrong. Every problem of every file is collected and thrown at
 * once (HARNESS_VECTORS_INVALID, exit 2), each with its file, JSON pointer and the fix.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { nearest, type Problem } from '../../src/core/errors.ts';
import { buildPairVectors } from './pairs.ts';
import { isRecord } from '../../src/core/json.ts';
import { loadVectorDirectory, type FormerIds } from '../../src/core/vector-files.ts';
import { initialState, predictStep, worldOfRequires } from './model.ts';
import { REQUIREMENT_IDS } from './requirements.ts';
import type { AgentExpect, Step, Vector } from './types.ts';

/** The Swivel suite's case ids: `sw:<name>` (src/core/case-ids.ts). */
export const CASE_ID_PREFIX = 'sw';

const SCHEMA_FILE = fileURLToPath(new URL('../../vectors/schema/swivel-vectors.schema.json', import.meta.url));

let compiled: ValidateFunction | null = null;
function validator(): ValidateFunction {
  if (compiled === null) {
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
      verbose: true,
    });
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  }
  return compiled;
}

/**
 * Reads every `*.json` in `dir` (or `files`), returns the vectors with `source` relative to `rootDir`.
 * Throws one HarnessError listing every problem.
 */
export async function loadSwivelVectors(
  dir: string,
  options: { rootDir?: string; files?: string[]; ids?: FormerIds } = {},
): Promise<Vector[]> {
  return loadVectorDirectory(
    dir,
    {
      rootDir: options.rootDir ?? process.cwd(),
      suiteTitle: 'Swivel',
      ...(options.files ? { files: options.files } : {}),
      ids: options.ids ?? { prefix: CASE_ID_PREFIX },
    },
    checkDocument,
  );
}

/** Where the generated vectors say they come from (`source`). */
export const PAIRS_SOURCE = 'builder:stateful-pairs';

/**
 * The generated vectors (suites/swivel/pairs.ts), checked exactly as a vector file is: the schema, the rules,
 * and the model's agreement with the builder's own oracle. A problem here is the harness's own bug.
 */
export function builtSwivelVectors(existing: readonly Vector[]): Vector[] {
  const problems: Problem[] = [];
  const seen = new Map(existing.map((v) => [v.id, v.source ?? 'a vector file']));
  const vectors = checkDocument({ vectors: buildPairVectors() }, PAIRS_SOURCE, problems, seen);
  if (problems.length > 0) {
    throw new Error(`Swivel vector builder: ${problems.map((p) => `${p.file} ${p.path}: ${p.message}`).join('; ')}`);
  }
  return vectors.map((v) => ({ ...v, source: PAIRS_SOURCE }));
}

/** Checks one parsed document; returns its vectors that passed the schema. Problems are appended. */
export function checkDocument(
  document: unknown,
  file: string,
  problems: Problem[],
  seen = new Map<string, string>(),
): Vector[] {
  const validate = validator();
  const errors = validate(document) ? [] : (validate.errors ?? []);
  problems.push(...schemaProblems(errors, file));
  const list = isRecord(document) && Array.isArray(document['vectors']) ? (document['vectors'] as unknown[]) : [];
  const broken = new Set(
    errors
      .map((e) => /^\/vectors\/(\d+)/.exec(e.instancePath)?.[1])
      .filter((i): i is string => i !== undefined)
      .map(Number),
  );
  const out: Vector[] = [];
  list.forEach((raw, index) => {
    const pointer = `/vectors/${index}`;
    const id = isRecord(raw) ? raw['id'] : undefined;
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first !== undefined) {
        problems.push({
          file,
          path: `${pointer}/id`,
          message: `duplicate vector id "${id}" (first in ${first}): give this vector a new id`,
        });
      } else seen.set(id, `${file} ${pointer}`);
    }
    if (broken.has(index)) return;
    const vector = raw as Vector;
    const before = problems.length;
    problems.push(...ruleProblems(vector, pointer, file));
    if (problems.length === before) problems.push(...agreementProblems(vector, pointer, file));
    out.push(vector);
  });
  return out;
}

function ruleProblems(v: Vector, pointer: string, file: string): Problem[] {
  const problems: Problem[] = [];
  const at = (p: string, message: string) => problems.push({ file, path: `${pointer}${p}`, message });
  v.requirements.forEach((r, i) => {
    if (!REQUIREMENT_IDS.has(r))
      at(`/requirements/${i}`, `unknown requirement "${r}": use one of suites/swivel/requirements.ts`);
  });
  const defined = new Set<string>();
  v.steps.forEach((step, i) => {
    const sp = `/steps/${i}`;
    const uses: string[] = [];
    if (step.do === 'provision' && typeof step.code === 'object') uses.push(step.code.ref);
    if (step.do === 'security-strings' && typeof step.device === 'object') uses.push(step.device.ref);
    if (step.do === 'send')
      for (const m of step.body.matchAll(/\{\{([A-Za-z][A-Za-z0-9_-]*)\}\}/g)) uses.push(m[1] as string);
    for (const name of uses) {
      if (!defined.has(name))
        at(sp, `"${name}" is used before a step names it with "as": add "as": "${name}" to the step that makes it`);
    }
    if ('as' in step && step.as !== undefined) {
      if (defined.has(step.as))
        at(`${sp}/as`, `"${step.as}" is already the name of an earlier value: pick another name`);
      defined.add(step.as);
    }
    if ('instance' in step && (step.instance ?? 0) > 0 && v.requires?.cluster !== true) {
      at(`${sp}/instance`, 'a step on another instance needs "requires": {"cluster": true}');
    }
    if (step.do === 'advance-clock' && v.requires?.clock !== true) {
      at(sp, 'advance-clock needs "requires": {"clock": true} (targets without a clock get the real-time vector)');
    }
    if (step.do === 'wait' && v.realTime !== true) at(sp, 'a wait takes real time: mark the vector "realTime": true');
  });
  if (v.requires?.sessionSharing !== undefined && v.requires.cluster !== true) {
    at('/requires', 'sessionSharing only means something in a cluster: add "cluster": true');
  }
  return problems;
}

function agreementProblems(v: Vector, pointer: string, file: string): Problem[] {
  const problems: Problem[] = [];
  const world = worldOfRequires(v.requires);
  let state = initialState();
  v.steps.forEach((step, i) => {
    const { prediction, next } = predictStep(state, step, world);
    const written = writtenExpectation(step);
    let predicted: string | null = null;
    if (prediction.kind === 'issue') predicted = prediction.outcome;
    else if (prediction.kind === 'set-policy') predicted = prediction.outcome;
    else if (prediction.kind === 'check-policy') predicted = JSON.stringify(prediction.policy);
    else if (prediction.kind === 'agent') {
      const p = prediction.prediction;
      predicted = p.result === 'PASS' ? 'PASS' : `FAIL ${[...p.errors].sort().join('|')}`;
    }
    if (written !== null && predicted !== null && written !== predicted) {
      const why =
        'why' in prediction
          ? ` (${prediction.why})`
          : prediction.kind === 'agent'
            ? ` (${prediction.prediction.why})`
            : '';
      problems.push({
        file,
        path: `${pointer}/steps/${i}/expect`,
        message: `the model predicts ${predicted}${why}, the vector says ${written}: fix the vector, or the model if the vector is right`,
      });
    }
    state = next;
  });
  return problems;
}

function writtenExpectation(step: Step): string | null {
  switch (step.do) {
    case 'issue-code':
      return step.expect ?? 'issued';
    case 'self-provision':
    case 'set-policy':
      return step.expect;
    case 'check-policy':
      return JSON.stringify({
        validitySeconds: step.expect.validitySeconds,
        selfProvisioning: step.expect.selfProvisioning,
        logDeviceInformation: step.expect.logDeviceInformation,
      });
    case 'provision':
    case 'security-strings':
    case 'send':
      return agentKey(step.expect);
    default:
      return null;
  }
}

function agentKey(expect: AgentExpect): string {
  if (expect.result === 'PASS') return 'PASS';
  const errors = Array.isArray(expect.error) ? [...expect.error] : [expect.error];
  return `FAIL ${errors.sort().join('|')}`;
}

// ---------------------------------------------------------------------------------------------------------
// ajv errors as problems that say the fix

function schemaProblems(errors: ErrorObject[], file: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'allOf') continue;
    const params = e.params as Record<string, unknown>;
    let at = e.instancePath;
    let message: string;
    switch (e.keyword) {
      case 'required':
        message = `missing property "${String(params['missingProperty'])}": add it`;
        break;
      case 'additionalProperties': {
        const name = String(params['additionalProperty']);
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const near = nearest(name, allowed);
        at = `${at}/${name}`;
        message = `unknown property "${name}" here: ${near !== undefined ? `rename it to "${near}"` : 'remove it'} (allowed: ${allowed.join(', ')})`;
        break;
      }
      case 'enum': {
        const allowed = (params['allowedValues'] as unknown[]).map((a) => JSON.stringify(a));
        const near =
          typeof e.data === 'string'
            ? nearest(
                e.data,
                (params['allowedValues'] as unknown[]).filter((a): a is string => typeof a === 'string'),
              )
            : undefined;
        message = `must be one of ${allowed.join(', ')}: ${near !== undefined ? `change ${JSON.stringify(e.data)} to "${near}"` : `got ${JSON.stringify(e.data)}`}`;
        break;
      }
      case 'type':
        message = `must be ${String(params['type'])}, got ${e.data === null ? 'null' : Array.isArray(e.data) ? 'an array' : typeof e.data} ${JSON.stringify(e.data)}: change it`;
        break;
      case 'pattern':
        message = `${JSON.stringify(e.data)} must match ${String(params['pattern'])}: rename it`;
        break;
      case 'oneOf':
        message = 'must be a string, or an object {"ref": name} for a generated value';
        break;
      case 'not':
        message = 'a PASS has no "error": remove it';
        break;
      default:
        message = `${e.message ?? 'is invalid'}: see ${e.schemaPath} in vectors/schema/swivel-vectors.schema.json`;
    }
    const key = `${at}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, path: at, message });
  }
  return problems;
}
