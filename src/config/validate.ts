import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { nearest, type Problem } from '../core/errors.ts';

/** The shape of `HarnessConfig`, for ajv. Kept next to types.ts; a test checks the example config passes. */
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    targets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'driver'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$' },
          driver: { type: 'string', minLength: 1 },
          options: { type: 'object' },
          precedence: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 33 }, uniqueItems: true },
          timeoutMs: { type: 'integer', minimum: 1 },
          resets: { enum: ['every-case', 'fewest'] },
        },
      },
    },
    run: { type: 'array', items: { type: 'string' } },
    profiles: { type: 'string', minLength: 1 },
    vectors: { type: 'string', minLength: 1 },
    grep: { type: 'array', items: { type: 'string' } },
    obfuscation: {
      type: 'object',
      additionalProperties: false,
      properties: { key: { type: 'string' } },
    },
    reporters: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string' },
          {
            type: 'array',
            prefixItems: [{ type: 'string' }, { type: 'object' }],
            minItems: 2,
            maxItems: 2,
          },
        ],
      },
    },
    outputDir: { type: 'string', minLength: 1 },
    timeoutMs: { type: 'integer', minimum: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    workers: { type: 'integer', minimum: 1, maximum: 256 },
    artifacts: { enum: ['on-failure', 'always'] },
    retries: { type: 'integer', minimum: 0, maximum: 100 },
    maxFailures: { type: 'integer', minimum: 1 },
    fuzz: {
      type: 'object',
      additionalProperties: false,
      properties: {
        time: { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?(ms|s|m)?\\s*$' },
        timePerProperty: { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?(ms|s|m)?\\s*$' },
        runs: { type: 'integer', minimum: 1 },
        properties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
        maxFailures: { type: 'integer', minimum: 1 },
        maxSteps: { type: 'integer', minimum: 1, maximum: 50 },
        corpus: { type: 'string', minLength: 1 },
        targets: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        against: { type: 'string', minLength: 1 },
      },
    },
    expectations: { type: 'string', minLength: 1 },
    ics: { type: 'string', minLength: 1 },
    failOn: { type: 'array', items: { type: 'string' } },
    browser: {
      type: 'object',
      additionalProperties: false,
      properties: {
        executablePath: { type: 'string', minLength: 1 },
        device: { type: 'string', minLength: 1 },
        page: { enum: ['mdm', 'email'] },
        capture: { enum: ['navigation', 'script'] },
        headless: { type: 'boolean' },
      },
    },
  },
} as const;

// verbose: an error carries its schema, so an unknown key is answered with the nearest known one.
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile(schema);

/** `/targets/1/url` -> `targets[1].url`, the way users write it. */
export function configPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

function describe(error: ErrorObject, value: unknown): string {
  const got = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params['additionalProperty']);
      const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
      const near = nearest(extra, Object.keys(properties ?? {}));
      return near === undefined
        ? `unknown option "${extra}": remove it or check its spelling`
        : `unknown option "${extra}": did you mean "${near}"?`;
    }
    case 'required':
      return `is missing "${String(error.params['missingProperty'])}": add it`;
    case 'type':
      return `must be ${String(error.params['type'])}${got}`;
    case 'pattern':
      return `must match ${String(error.params['pattern'])} (letters, digits, . _ + -)${got}`;
    case 'minimum':
    case 'maximum':
      return `${error.message ?? 'is out of range'}${got}`;
    case 'enum':
      return `must be one of ${((error.params['allowedValues'] as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'uniqueItems':
      return `must not repeat a value${got}`;
    default:
      return `${error.message ?? 'is invalid'}${got}`;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Every problem of the config object at once. */
export function validateConfigShape(config: unknown, file: string): Problem[] {
  if (validate(config)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // anyOf reports each branch; the branch errors say more than the summary.
    if (error.keyword === 'anyOf') continue;
    const path = configPath(error.instancePath) || '(root)';
    const message = describe(error, valueAt(config, error.instancePath));
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, path, message });
  }
  return problems;
}
