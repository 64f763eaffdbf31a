/**
 * The suite's JSON Schemas (vectors/schema/surepassid-*.json), compiled once per process: the request
 * schema is how the model tells a well-formed request from a malformed one, the response schema how the
 * judge checks an answer's shape, the vectors schema how vector files are checked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OperationType } from './types.ts';

const SCHEMA_DIR = fileURLToPath(new URL('../../vectors/schema/', import.meta.url));
const BASE = 'https://provisioning-harness.local/schema/';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, verbose: true });
for (const file of ['surepassid-request.json', 'surepassid-response.json', 'surepassid-vectors.json']) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object);
}

function compiled(ref: string): ValidateFunction {
  const validate = ajv.getSchema(`${BASE}${ref}`);
  if (validate === undefined) throw new Error(`schema ${ref} is missing from vectors/schema/`);
  return validate;
}

export const validateRequest = compiled('surepassid-request.json');
export const validateVectorFile = compiled('surepassid-vectors.json');
const validateEnvelope = compiled('surepassid-response.json');
const successShapes = new Map<OperationType, ValidateFunction>(
  (['provision_oath_device', 'get_oath_device_qrcode', 'add_oath_device', 'find_device'] as const).map((t) => [
    t,
    compiled(`surepassid-response.json#/$defs/${t}`),
  ]),
);

/** Every schema problem of an answer (empty: it matches), as `/pointer: message` lines. */
export function responseProblems(answer: unknown, type: OperationType | null): string[] {
  const problems = validateEnvelope(answer) ? [] : describeErrors(validateEnvelope.errors ?? []);
  const code = (answer as { errorCode?: unknown } | null)?.errorCode;
  if (problems.length === 0 && code === 0 && type !== null) {
    const shape = successShapes.get(type) as ValidateFunction;
    if (!shape(answer)) problems.push(...describeErrors(shape.errors ?? []).map((p) => `${p} (a ${type} success)`));
  }
  return problems;
}

/** Whether a request body is well formed, and if not, every reason (with whether a type is wrong). */
export function requestProblems(body: unknown): { problems: string[]; wrongType: boolean } {
  if (validateRequest(body)) return { problems: [], wrongType: false };
  const errors = (validateRequest.errors ?? []).filter((e) => e.keyword !== 'if');
  return { problems: describeErrors(errors), wrongType: errors.some((e) => e.keyword === 'type') };
}

export function describeErrors(errors: ErrorObject[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    const params = e.params as Record<string, unknown>;
    let message: string;
    switch (e.keyword) {
      case 'required':
        message = `missing property "${String(params['missingProperty'])}"`;
        break;
      case 'type':
        message = `must be ${String(params['type'])}, got ${kindOf(e.data)}`;
        break;
      case 'enum':
        message = `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(params['allowedValue'])}, got ${JSON.stringify(e.data)}`;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const line = `${e.instancePath || '/'}: ${message}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `${typeof value} ${JSON.stringify(value)}`;
}
