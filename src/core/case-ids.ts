import { readFileSync } from 'node:fs';
import { HarnessError } from './errors.ts';

/**
 * The one case-id convention of every suite (docs/vectors.md, "Case ids"):
 *
 *     <suite>:<name>[@<platform>-<method>]      om:ex-complete-android@android-url, sw:code-once
 *
 * `<suite>` is the suite's prefix (its requirement IDs' prefix in lower case: om, omp, sw, sp), `<name>` the
 * vector's name in lower-case letters, digits and single dashes, and a client suite's case adds the route it
 * runs on. A case id is never a requirement ID: those are capitals with a dash (`SW-CODE-ONCE`), a case id
 * is lower case with a colon, so neither is ever part of the other and `--grep` tells them apart. A vector's
 * `id` in its file is the case id without the route.
 */
const CASE_ID = /^([a-z]+):([a-z0-9]+(?:-[a-z0-9]+)*)(?:@([a-z]+-[a-z]+))?$/;
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface CaseIdParts {
  prefix: string;
  name: string;
  /** `ios-url`, `android-intent`, ...; null for a server suite's case (and a vector id). */
  route: string | null;
}

export function parseCaseId(id: string): CaseIdParts | null {
  const m = CASE_ID.exec(id);
  if (m === null) return null;
  return { prefix: m[1] as string, name: m[2] as string, route: m[3] ?? null };
}

/** Why `id` is not a case id of the suite with this prefix (`route`: whether its cases carry one), or null. */
export function caseIdProblem(id: string, prefix: string, route: boolean): string | null {
  const parts = parseCaseId(id);
  const form = `${prefix}:<name>${route ? '@<platform>-<method>' : ''}`;
  if (parts === null || parts.prefix !== prefix)
    return `"${id}" is not a case id of the form ${form} (lower-case letters, digits and dashes)`;
  if (route && parts.route === null) return `"${id}" has no route: ${form}`;
  if (!route && parts.route !== null) return `"${id}" has a route, which this suite's cases do not: ${prefix}:<name>`;
  return null;
}

/**
 * The conventional id of a vector id written in a former form (`OM-EX-COMPLETE-ANDROID`, `SW-CODE-ONCE`,
 * `sp-cred-wrong-key-add`, `admin-replace`): the suite's prefix and a dash dropped, lower case, prefixed
 * `<prefix>:`. Null when `id` is conventional already, or when no conventional name can be made of it.
 */
export function conventionalVectorId(prefix: string, id: string): string | null {
  if (parseCaseId(id)?.prefix === prefix) return null;
  const name = id.replace(new RegExp(`^${prefix}[-_]`, 'i'), '').toLowerCase();
  return NAME.test(name) ? `${prefix}:${name}` : null;
}

/** A vector a suite loaded under a former id, and the id it runs as. */
export interface RenamedVector {
  file: string;
  /** JSON pointer of the id in the file. */
  path: string;
  from: string;
  to: string;
}

/**
 * Gives every vector of a parsed vector file (`{ vectors: [{ id }, ...] }`) whose id is in a former form its
 * conventional id, before the file is checked, and says so (`renamed`): a failure the fuzzer kept, or a
 * vector written, before the convention still loads and runs, as its new id.
 */
export function renameFormerIds(
  document: unknown,
  file: string,
  prefix: string,
  renamed?: (rename: RenamedVector) => void,
): void {
  if (document === null || typeof document !== 'object') return;
  const list = (document as { vectors?: unknown }).vectors;
  if (!Array.isArray(list)) return;
  list.forEach((vector: unknown, index) => {
    if (vector === null || typeof vector !== 'object') return;
    const record = vector as { id?: unknown };
    if (typeof record.id !== 'string') return;
    const to = conventionalVectorId(prefix, record.id);
    if (to === null) return;
    renamed?.({ file, path: `/vectors/${index}/id`, from: record.id, to });
    record.id = to;
  });
}

/** The file name a kept failure is written under: its id, with `:` as `-` (`om:reg-x` -> `om-reg-x.json`). */
export function caseIdFileName(id: string): string {
  return `${id.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.json`;
}

/**
 * Former case ids and the ids they read now: the table shipped in `vectors/aliases.json` (every id the
 * harness's own vectors had before they were renamed), and the vectors a suite loaded under a former id
 * (kept failures, a user's vector files). A former vector id stands for every route of it:
 * `OM-EX-1@ios-url` reads `om:ex-1@ios-url`.
 */
export class CaseAliases {
  private readonly currentOf = new Map<string, string>();
  private readonly formerOf = new Map<string, string[]>();

  constructor(
    table: Readonly<Record<string, string>> = {},
    /** Where notices go (a former id was given or loaded): the CLI's stderr. */
    private readonly onNotice: (text: string) => void = () => undefined,
  ) {
    for (const [former, current] of Object.entries(table)) this.add(former, current);
  }

  add(former: string, current: string): void {
    if (this.currentOf.get(former) === current) return;
    this.currentOf.set(former, current);
    const list = this.formerOf.get(current) ?? [];
    list.push(former);
    this.formerOf.set(current, list);
  }

  /** The id a former id (a case id, or a vector id) reads now; undefined if it is none. */
  resolve(id: string): string | undefined {
    const whole = this.currentOf.get(id);
    if (whole !== undefined) return whole;
    const at = id.lastIndexOf('@');
    if (at <= 0) return undefined;
    const vector = this.currentOf.get(id.slice(0, at));
    return vector === undefined ? undefined : `${vector}${id.slice(at)}`;
  }

  /** Every former id of a current case id. */
  formerIds(caseId: string): string[] {
    const out = [...(this.formerOf.get(caseId) ?? [])];
    const at = caseId.lastIndexOf('@');
    if (at > 0) for (const f of this.formerOf.get(caseId.slice(0, at)) ?? []) out.push(`${f}${caseId.slice(at)}`);
    return out;
  }

  notice(text: string): void {
    this.onNotice(text);
  }

  /** For a suite's load: a vector loaded under a former id runs as its new one, with a notice. */
  readonly renamed = (rename: RenamedVector): void => {
    this.add(rename.from, rename.to);
    this.notice(
      `${rename.file} ${rename.path}: "${rename.from}" is a former form of case id; it runs as ${rename.to} (write "${rename.to}" in the file to say it the new way)`,
    );
  };
}

/**
 * Reads an alias table: `{ "aliases": { "<former id>": "<current id>" } }`. A malformed table is an error
 * of the harness's installation, named with its file.
 */
export function readAliasTable(file: string): Record<string, string> {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HarnessError(
      'HARNESS_VECTORS_INVALID',
      `cannot read the case-id alias table ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const aliases = (document as { aliases?: unknown } | null)?.aliases;
  if (aliases === null || typeof aliases !== 'object' || Array.isArray(aliases)) {
    throw new HarnessError('HARNESS_VECTORS_INVALID', `${file}: "aliases" must be an object of former id -> case id`);
  }
  const out: Record<string, string> = {};
  for (const [former, current] of Object.entries(aliases as Record<string, unknown>)) {
    if (typeof current !== 'string' || parseCaseId(current) === null) {
      throw new HarnessError(
        'HARNESS_VECTORS_INVALID',
        `${file} /aliases/${former}: ${JSON.stringify(current)} is not a case id (<suite>:<name>[@<route>])`,
      );
    }
    out[former] = current;
  }
  return out;
}
