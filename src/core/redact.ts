import { createHmac, randomBytes } from 'node:crypto';

/**
 * Secrets are replaced before anything is written. Allure's own "masked" parameter mode still writes the
 * value in clear into the result file, so the harness never hands a secret to a reporter at all.
 */
export const REDACTED = '«redacted»';

/**
 * A redacted stand-in that still lets a reader see whether two secrets differ: length plus a short tag from
 * a per-process random key (so the tag cannot be looked up across runs).
 */
const tagKey = randomBytes(32);
const masks = new Map<string, string>();
export function maskSecret(secret: string): string {
  let mask = masks.get(secret);
  if (mask === undefined) {
    const tag = createHmac('sha256', tagKey).update(secret).digest('hex').slice(0, 4);
    mask = `«redacted ${[...secret].length} chars #${tag}»`;
    // Bounded: a long fuzz run sees many passwords; the cache only saves recomputing recent ones.
    if (masks.size > 10_000) masks.clear();
    masks.set(secret, mask);
  }
  return mask;
}

/** Values shorter than this are not searched for in free text: they would match ordinary words. */
export const MIN_SECRET_LENGTH = 4;

export class Redactor {
  /** Longest first: a secret may contain another. */
  private secrets: string[] = [];

  add(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.includes(secret)) return;
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }

  /** Replaces every known secret in `text`. */
  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    }
    return out;
  }

  /**
   * Every string of a JSON-like value redacted, in place: the value is the caller's own, freshly built
   * result, and not copying it keeps a long run's garbage down.
   */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.text(node);
      // Only a string that held a secret is written back: shared or frozen parts (a model constant, a
      // vector's requirement list) hold none and are never touched.
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const next = walk(node[i]);
          if (next !== node[i]) node[i] = next;
        }
      } else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        for (const k of Object.keys(record)) {
          const next = walk(record[k]);
          if (next !== record[k]) record[k] = next;
        }
      }
      return node;
    };
    return walk(value) as T;
  }
}

/**
 * Replaces the value of `password=` in a provisioning URL, keeping everything else readable. The name is
 * matched in any letter case: a client ignores `Password=`, but a person reading the report would still
 * read it as a password.
 */
export function redactUrlPassword(url: string, replacement: string = REDACTED): string {
  return url.replace(/([?&]password=)([^&#]*)/gi, (_m, head: string, value: string) =>
    value === '' ? head : `${head}${replacement}`,
  );
}
