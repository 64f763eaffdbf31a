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
export function maskSecret(secret: string): string {
  const tag = createHmac('sha256', tagKey).update(secret).digest('hex').slice(0, 4);
  return `«redacted ${[...secret].length} chars #${tag}»`;
}

/** Values shorter than this are not searched for in free text: they would match ordinary words. */
export const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | null | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  /** Replaces every known secret in `text`, longest first (a secret may contain another). */
  text(text: string): string {
    if (this.secrets.size === 0) return text;
    let out = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** Deep copy with every string redacted. */
  value<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.text(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node !== null && typeof node === 'object') {
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
      }
      return node;
    };
    return walk(value) as T;
  }
}

/** Replaces the value of `password=` in a provisioning URL, keeping everything else readable. */
export function redactUrlPassword(url: string): string {
  return url.replace(/([?&]password=)([^&#]*)/g, (_m, head: string, value: string) =>
    value === '' ? head : `${head}${REDACTED}`,
  );
}
