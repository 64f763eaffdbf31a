/**
 * Loads and checks the SurePassID vectors (vectors/surepassid/*.json): the schema
 * (vectors/schema/surepassid-vectors.json), then what it cannot express (unique ids, known requirement ids,
 * placeholders and fixtures that name declared fixtures, and an author's `expect` that the model agrees
 * with). Every problem of every file is collected before one HarnessError (exit 2) is thrown.
 */
import type { Problem } from '../../src/core/errors.ts';
import { loadVectorDirectory, type FormerIds } from '../../src/core/vector-files.ts';
import { codeName } from './codes.ts';
import { apply, emptyState, expect, operationOf, type ModelState, type SentBody } from './model.ts';
import { PLACEHOLDER } from './execute.ts';
import { REQUIREMENT_IDS } from './requirements.ts';
import { describeErrors, validateVectorFile } from './schemas.ts';
import type { Expectation, Step, Vector } from './types.ts';

/** The SurePassID suite's case ids: `sp:<name>` (src/core/case-ids.ts). */
export const CASE_ID_PREFIX = 'sp';

export async function loadSurePassIdVectors(
  dir: string,
  rootDir: string = process.cwd(),
  ids: FormerIds = { prefix: CASE_ID_PREFIX },
): Promise<Vector[]> {
  return loadVectorDirectory(dir, { rootDir, suiteTitle: 'SurePassID', ids }, checkVectorDocument);
}

/** Checks one parsed vector file; appends problems, returns the vectors that are sound. */
export function checkVectorDocument(
  document: unknown,
  file: string,
  problems: Problem[],
  seen = new Map<string, string>(),
): Vector[] {
  if (!validateVectorFile(document)) {
    for (const line of describeErrors(validateVectorFile.errors ?? [])) {
      const colon = line.indexOf(': ');
      problems.push({
        file,
        path: line.slice(0, colon) === '/' ? '' : line.slice(0, colon),
        message: `${line.slice(colon + 2)}: see vectors/schema/surepassid-vectors.json`,
      });
    }
    return [];
  }
  const out: Vector[] = [];
  (document as { vectors: Vector[] }).vectors.forEach((vector, index) => {
    const pointer = `/vectors/${index}`;
    const before = problems.length;
    const first = seen.get(vector.id);
    if (first !== undefined)
      problems.push({
        file,
        path: `${pointer}/id`,
        message: `duplicate vector id "${vector.id}" (first in ${first}): give it a new id`,
      });
    else seen.set(vector.id, file);
    vector.requirements.forEach((id, i) => {
      if (!REQUIREMENT_IDS.has(id)) {
        problems.push({
          file,
          path: `${pointer}/requirements/${i}`,
          message: `unknown requirement "${id}": use one of suites/surepassid/requirements.ts (${[...REQUIREMENT_IDS].join(', ')})`,
        });
      }
    });
    problems.push(...fixtureProblems(vector, pointer, file));
    if (problems.length === before) problems.push(...agreementProblems(vector, pointer, file));
    if (problems.length === before) out.push(vector);
  });
  return out;
}

function fixtureProblems(vector: Vector, pointer: string, file: string): Problem[] {
  const problems: Problem[] = [];
  const given = vector.given ?? {};
  const accounts = new Set((given.accounts ?? []).map((a) => a.name));
  const users = new Set((given.users ?? []).map((u) => `${u.account}/${u.username}`));
  const devices = new Set<string>();
  (given.users ?? []).forEach((u, i) => {
    if (!accounts.has(u.account))
      problems.push({
        file,
        path: `${pointer}/given/users/${i}/account`,
        message: `no account "${u.account}" in given.accounts: declare it`,
      });
  });
  (given.devices ?? []).forEach((d, i) => {
    if (!users.has(`${d.account}/${d.username}`)) {
      problems.push({
        file,
        path: `${pointer}/given/devices/${i}`,
        message: `no user "${d.username}" of account "${d.account}" in given.users: declare it`,
      });
    }
    if (devices.has(d.ref))
      problems.push({
        file,
        path: `${pointer}/given/devices/${i}/ref`,
        message: `device ref "${d.ref}" is used twice: rename one`,
      });
    devices.add(d.ref);
  });
  vector.steps.forEach((step, i) => {
    for (const text of stringsOf(step.raw ?? step.body)) {
      for (const [, kind, name] of text.matchAll(PLACEHOLDER)) {
        const known = kind === 'device' ? devices : accounts;
        if (!known.has(name as string)) {
          problems.push({
            file,
            path: `${pointer}/steps/${i}`,
            message: `{{${kind}:${name}}} names no ${kind === 'device' ? 'device ref in given.devices' : 'account in given.accounts'}: declare it or fix the name`,
          });
        }
      }
    }
  });
  return problems;
}

/**
 * Replays the vector on the model alone, its fixtures assumed to succeed (device ids stand in for the
 * server's, and each step is assumed answered with the first code the model accepts): the expectation of
 * every step. The loader compares it with the author's `expect`; `explain` prints it.
 */
export function modelExpectations(vector: Vector): { body: SentBody; expectation: Expectation }[] {
  const state: ModelState = emptyState();
  const given = vector.given ?? {};
  const keys = new Map((given.accounts ?? []).map((a) => [a.name, a.key]));
  for (const a of given.accounts ?? []) state.accounts.set(a.name, { key: a.key, users: new Set() });
  for (const u of given.users ?? []) state.accounts.get(u.account)?.users.add(u.username);
  const ids = new Map<string, string>();
  for (const d of given.devices ?? []) {
    const id = `model-${d.ref}`;
    ids.set(d.ref, id);
    state.devices.set(id, {
      account: d.account,
      username: d.username,
      provisioned: d.provision !== undefined,
      deleted: d.deleted === true,
    });
  }
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (whole, kind: string, name: string) =>
      kind === 'device' ? (ids.get(name) ?? whole) : kind === 'account' ? name : (keys.get(name) ?? whole),
    );
  const fillJson = (t: unknown): unknown =>
    typeof t === 'string'
      ? fill(t)
      : Array.isArray(t)
        ? t.map(fillJson)
        : t !== null && typeof t === 'object'
          ? Object.fromEntries(Object.entries(t).map(([k, v]) => [k, fillJson(v)]))
          : t;
  return vector.steps.map((step: Step, i) => {
    let body: SentBody;
    if (step.raw !== undefined) {
      const text = fill(step.raw);
      try {
        body = { json: JSON.parse(text) as unknown };
      } catch {
        body = { raw: text };
      }
    } else body = { json: fillJson(step.body) };
    const expectation = expect(state, body);
    if (expectation.nonZero !== true && expectation.codes[0] === 0 && operationOf(body) !== null) {
      const answer: Record<string, unknown> = { errorCode: 0 };
      if (operationOf(body) === 'add_oath_device') answer['deviceId'] = `model-added-${i}`;
      apply(state, body, expectation, 0, answer);
    }
    return { body, expectation };
  });
}

function agreementProblems(vector: Vector, pointer: string, file: string): Problem[] {
  const problems: Problem[] = [];
  modelExpectations(vector).forEach(({ expectation }, i) => {
    const author = vector.steps[i]?.expect;
    if (author === undefined) return;
    const disagreement = compare(author, expectation);
    if (disagreement !== null) {
      problems.push({
        file,
        path: `${pointer}/steps/${i}/expect`,
        message: `${disagreement}; fix the vector, or the model if the vector is right (suites/surepassid/model.ts)`,
      });
    }
  });
  return problems;
}

function compare(author: NonNullable<Step['expect']>, model: Expectation): string | null {
  const says = model.nonZero === true ? 'any non-zero errorCode' : model.codes.map(codeName).join(' or ');
  if (author.nonZero === true)
    return model.nonZero === true ? null : `expect says any non-zero errorCode, the model says ${says} (${model.why})`;
  if (author.errorCode === undefined) return 'expect must give errorCode or nonZero';
  const codes = [...new Set(Array.isArray(author.errorCode) ? author.errorCode : [author.errorCode])].sort();
  const modelCodes = model.nonZero === true ? null : [...model.codes].sort();
  if (modelCodes === null || codes.join() !== modelCodes.join()) {
    return `expect says errorCode ${codes.map(codeName).join(' or ')}, the model says ${says} (${model.why})`;
  }
  return null;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}
