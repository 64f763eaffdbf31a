import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * The adapter protocol's JSON Schemas, compiled once. The schema files are the single source of truth for
 * both halves: the driver checks responses, the generic adapter server checks requests.
 */
export type SchemaName =
  'info' | 'provision' | 'state' | 'logs' | 'reset-request' | 'network-request' | 'provision-request';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const compiled = new Map<SchemaName, ValidateFunction>();

export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    const text = readFileSync(new URL(`./schemas/${name}.json`, import.meta.url), 'utf8');
    validate = ajv.compile(JSON.parse(text) as object);
    compiled.set(name, validate);
  }
  return validate;
}

/** `/settings must have required property 'password'; /result must be integer,null`. */
export function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  // An `if`/`then` failure is already told by the `then` errors it names.
  const told = errors?.filter((e) => e.keyword !== 'if');
  if (!told || told.length === 0) return 'does not match the schema';
  return told
    .map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'is invalid'}`)
    .join('; ');
}
