/**
 * The certification bundle (docs/certification.md): what `harness certify` writes and `harness verify`
 * reads. A directory of files, its `manifest.json` (the SHA-256 of every other file) and `manifest.sig`
 * (the manifest's Ed25519 signature); the same directory as a `.tar.gz` beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config/defaults.ts';
import { HarnessError } from '../core/errors.ts';
import { isRecord } from '../core/json.ts';
import { sha256 } from '../core/signing.ts';
import { untarGz } from '../core/tar.ts';

export const BUNDLE_FORMAT = 'provisioning-harness-bundle/1';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

/** The files of a bundle, by role (docs/certification.md lists them). */
export const BUNDLE_FILES = {
  results: 'results.jsonl',
  summary: 'summary.json',
  certification: 'certification.json',
  harness: 'harness.json',
  digests: 'digests.json',
  config: 'config.json',
  targets: 'targets.json',
  icsGiven: 'ics.given.json',
  icsObserved: 'ics.observed.json',
  certificate: 'certificate.html',
} as const;

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  harnessVersion: string;
  createdAt: string;
  /** False when the run cannot certify anything; `reasons` says why (every reason). */
  certifiable: boolean;
  reasons: string[];
  /** The signer's public key (PEM) and its fingerprint (SHA-256 of the DER public key, hex). */
  publicKey: string;
  keyFingerprint: string;
  /** Every file of the bundle but the manifest and its signature: path (with `/`) -> SHA-256 hex. */
  files: Record<string, string>;
}

/** The harness that made or verifies a bundle: its version, and its git commit or its package's digest. */
export interface HarnessIdentity {
  name: string;
  version: string;
  /** The git commit of the harness's checkout, with `dirty` when it has uncommitted changes; null: not a checkout. */
  commit: { sha: string; dirty: boolean } | null;
  /** Without a checkout: the SHA-256 of the package's files (digestOf over them). */
  packageDigest: string | null;
}

/** What the bundle's results were judged with: every vector and schema file, and the suites' code. */
export interface Digests {
  /** Relative to the vectors folder: path -> SHA-256. */
  vectors: Record<string, string>;
  /** Relative to the package: suites/, protocols/ and the engine (src/), path -> SHA-256. */
  code: Record<string, string>;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Every regular file under `dir`, relative with `/`, sorted; `skip` names folders left out. */
export function filesUnder(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    if (!existsSync(path.join(dir, at))) return;
    for (const entry of readdirSync(path.join(dir, at), { withFileTypes: true })) {
      const rel = at === '' ? entry.name : `${at}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(rel);
      } else if (entry.isFile()) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** path -> SHA-256 of every file under `dir`. */
export function digestsUnder(dir: string, skip: ReadonlySet<string> = new Set()): Record<string, string> {
  return Object.fromEntries(filesUnder(dir, skip).map((f) => [f, sha256(readFileSync(path.join(dir, f)))]));
}

/** One digest of a set of file digests (the package's). */
export function digestOf(files: Readonly<Record<string, string>>): string {
  return sha256(
    Object.keys(files)
      .sort()
      .map((f) => `${files[f]}  ${f}\n`)
      .join(''),
  );
}

const CODE_FOLDERS = ['src', 'suites', 'protocols'] as const;

/** The suites' code and the engine's: `suites/**`, `protocols/**`, `src/**` of the harness, by path. */
export function codeDigests(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of CODE_FOLDERS)
    for (const [file, digest] of Object.entries(digestsUnder(path.join(PACKAGE_ROOT, folder))))
      out[`${folder}/${file}`] = digest;
  return out;
}

/** The vectors and schemas the harness judges with: every file under the vectors root. */
export function vectorDigests(vectorsRoot: string): Record<string, string> {
  return digestsUnder(vectorsRoot);
}

export function harnessIdentity(version: string): HarnessIdentity {
  const sha = git(['rev-parse', 'HEAD']);
  // Only when the package is the checkout's top (not a package installed inside someone else's repository).
  const top = git(['rev-parse', '--show-toplevel']);
  const isCheckout = sha !== null && top !== null && path.resolve(top) === path.resolve(PACKAGE_ROOT);
  if (isCheckout) {
    const status = git(['status', '--porcelain', '--', ...CODE_FOLDERS, 'drivers', 'vectors', 'package.json']);
    return {
      name: 'provisioning-harness',
      version,
      commit: { sha, dirty: status !== null && status !== '' },
      packageDigest: null,
    };
  }
  const files: Record<string, string> = {};
  for (const folder of [...CODE_FOLDERS, 'drivers', 'vectors', 'bin'])
    for (const [file, digest] of Object.entries(
      digestsUnder(path.join(PACKAGE_ROOT, folder), new Set(['node_modules'])),
    ))
      files[`${folder}/${file}`] = digest;
  files['package.json'] = sha256(readFileSync(path.join(PACKAGE_ROOT, 'package.json')));
  return { name: 'provisioning-harness', version, commit: null, packageDigest: digestOf(files) };
}

function packageVersion(name: string): string | null {
  try {
    const raw = JSON.parse(
      readFileSync(path.join(PACKAGE_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    ) as unknown;
    return isRecord(raw) && typeof raw['version'] === 'string' ? raw['version'] : null;
  } catch {
    return null;
  }
}

/** The Chromium build the harness's Playwright drives (its browsers.json), or null. */
function chromiumVersion(): string | null {
  try {
    const raw = JSON.parse(
      readFileSync(path.join(PACKAGE_ROOT, 'node_modules/playwright-core/browsers.json'), 'utf8'),
    ) as unknown;
    const browsers = isRecord(raw) && Array.isArray(raw['browsers']) ? raw['browsers'] : [];
    const chromium = browsers.find((b) => isRecord(b) && b['name'] === 'chromium');
    return isRecord(chromium) && typeof chromium['browserVersion'] === 'string' ? chromium['browserVersion'] : null;
  } catch {
    return null;
  }
}

/** Where the run ran: Node, the OS, and the Appium and Chromium the harness would drive. */
export function environment(): Record<string, string | null> {
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.platform()}-${os.arch()})`,
    appium: packageVersion('appium'),
    webdriverio: packageVersion('webdriverio'),
    playwright: packageVersion('playwright-core'),
    chromium: chromiumVersion(),
  };
}

/** A bundle as read: every file by path (with `/`), from a directory or a .tar.gz. */
export interface ReadBundle {
  /** As the user gave it. */
  given: string;
  files: Map<string, Buffer>;
}

/** Reads a bundle directory or its .tar.gz; exit 2 (HarnessError) when it is neither. */
export function readBundle(given: string, cwd: string): ReadBundle {
  const full = path.resolve(cwd, given);
  if (!existsSync(full)) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `${given} does not exist: give a bundle directory or its .tar.gz, as \`harness certify\` wrote them`,
    );
  }
  const files = new Map<string, Buffer>();
  if (statSync(full).isDirectory()) {
    for (const f of filesUnder(full)) files.set(f, readFileSync(path.join(full, f)));
  } else {
    let entries: Map<string, Buffer>;
    try {
      entries = untarGz(readFileSync(full));
    } catch (error) {
      throw new HarnessError('HARNESS_USAGE', `${given} is not a bundle's .tar.gz: ${(error as Error).message}`);
    }
    // The archive holds one top folder (the bundle directory's name).
    for (const [name, data] of entries) files.set(name.includes('/') ? name.slice(name.indexOf('/') + 1) : name, data);
  }
  if (!files.has(MANIFEST_FILE)) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `${given} holds no ${MANIFEST_FILE}, so it is not a certification bundle: give the directory (or .tar.gz) \`harness certify --bundle <dir>\` wrote`,
    );
  }
  return { given, files };
}
