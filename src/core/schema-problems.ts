/**
 * ajv's errors as problems a user can act on: each at its JSON pointer, each message saying the fix, the same
 * problem once. The wording every schema shares is here (an unknown property with the nearest allowed name,
 * a wrong type); what is particular to a file (its required fields, its patterns, its versions) is the
 * caller's `own` wording.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { nearest, type Problem } from './errors.ts';

/** A JSON pointer token (RFC 6901). */
export function pointerToken(text: string): string {
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * @param schema the schema's path, named by the message of an error neither wording knows
 * @param own the file's own message for an error (with the error's JSON pointer); null leaves the error out
 *   (another error says it better), undefined leaves it to the shared wording
 */
export function schemaProblems(
  errors: readonly ErrorObject[],
  file: string,
  schema: string,
  own: (e: ErrorObject, at: string) => string | null | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const params = e.params as Record<string, unknown>;
    let at = e.instancePath;
    let message = own(e, at);
    if (message === null) continue;
    if (message === undefined) {
      switch (e.keyword) {
        case 'additionalProperties': {
          const name = String(params['additionalProperty']);
          const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
          const near = nearest(name, allowed);
          at = `${at}/${pointerToken(name)}`;
          message = `unknown property "${name}": ${near !== undefined ? `rename it to "${near}"` : 'remove it'} (allowed: ${allowed.join(', ')})`;
          break;
        }
        case 'type':
          message = `must be ${String(params['type'])}, got ${e.data === null ? 'null' : Array.isArray(e.data) ? 'an array' : typeof e.data}: change it`;
          break;
        default:
          message = `${e.message ?? 'is invalid'}: see ${schema}`;
      }
    }
    const key = `${at}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, path: at || '/', message });
  }
  return problems;
}
