/**
 * `harness keygen`, `harness certify` and `harness verify` (docs/certification.md): a signed bundle bound to
 * what was tested (the harness, its vectors, the configuration, the target as observed, the environment),
 * and its check by anyone, down to every recorded verdict.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig, ResolvedTarget } from '../config/types.ts';
import type { TargetDriver } from '../core/driver.ts';
import type { BaseTargetInfo } from '../core/types.ts';
import { harnessCommand, printedPath, shellQuote, type CommandContext } from '../core/commands.ts';
import type { KeyObject } from 'node:crypto';
import type { CaseAliases } from '../core/case-ids.ts';
import { HarnessError } from '../core/errors.ts';
import { DEFAULT_FAIL_ON, type Expectations } from '../core/expectations.ts';
import { isRecord } from '../core/json.ts';
import { Redactor, REDACTED } from '../core/redact.ts';
import type { Reporter, RunSuite, RunSummary, TargetRun } from '../core/reporter.ts';
import type { CaseResult } from '../core/results.ts';
import {
  generateSigningKeys,
  keyFingerprint,
  publicKeyPem,
  readPrivateKey,
  readPublicKey,
  sha256,
  signBytes,
  verifyBytes,
} from '../core/signing.ts';
import { tarGz } from '../core/tar.ts';
import { createReporters, ReporterMultiplexer, type ReporterSpec } from '../reporters/index.ts';
import {
  certificatePage,
  publicKeyFingerprint,
  type CertificateTarget,
  type NotCertifiableReason,
} from '../reporters/certificate.ts';
import { icsText, loadIcs, observedIcs, type Ics } from '../core/ics.ts';
import { identity as noRedaction } from '../reporters/text.ts';
import { runPlan } from '../runner/run.ts';
import type { ParsedArgs } from './args.ts';
import { createSuites, DRIVERS, icsVocabularies, suiteOf } from './builtins.ts';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  codeDigests,
  environment,
  filesUnder,
  harnessIdentity,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  vectorDigests,
  type Digests,
  type HarnessIdentity,
  type Manifest,
} from './bundle.ts';
import { fuzz } from './fuzz.ts';

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The key files `harness keygen` writes. */
export const PRIVATE_KEY_FILE = 'harness-signing.key';
export const PUBLIC_KEY_FILE = 'harness-signing.pub';
/** The environment variable that may hold the signing key (its PEM text, or the path of a PEM file). */
export const SIGNING_KEY_ENV = 'HARNESS_SIGNING_KEY';
/** `certify` without `--fuzz-time`: the fuzz budget, shared by every property of every target. */
export const DEFAULT_CERTIFY_FUZZ_MS = 3 * 60_000;
/** `certify` without `--bundle`. */
export const DEFAULT_BUNDLE_DIR = 'certification';

function shown(io: Pick<Io, 'cwd'>, file: string): string {
  const rel = path.relative(io.cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** `harness keygen [--out dir]`: an Ed25519 pair; the private key readable by its owner only. */
export function keygen(args: ParsedArgs, io: Io): number {
  const dir = path.resolve(io.cwd, args.keyOut ?? '.');
  const privateFile = path.join(dir, PRIVATE_KEY_FILE);
  const publicFile = path.join(dir, PUBLIC_KEY_FILE);
  for (const file of [privateFile, publicFile]) {
    if (existsSync(file)) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `${shown(io, file)} exists: keygen never replaces a key (bundles signed with it would no longer verify against a new one). Give another folder with --out <dir>, or remove the old pair first`,
      );
    }
  }
  mkdirSync(dir, { recursive: true });
  const pair = generateSigningKeys();
  writeFileSync(privateFile, pair.privateKey, { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  writeFileSync(publicFile, pair.publicKey);
  const fingerprint = keyFingerprint(pair.publicKey);
  io.stdout(
    [
      `private key: ${shown(io, privateFile)} (mode 0600: keep it secret; certify signs with it: --key ${shellQuote(shown(io, privateFile))} or ${SIGNING_KEY_ENV})`,
      `public key:  ${shown(io, publicFile)} (give it to whoever verifies your bundles: --key ${shellQuote(shown(io, publicFile))})`,
      `fingerprint: ${fingerprint} (SHA-256 of the DER public key; publish it beside the public key)`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** The signing key from `--key` or HARNESS_SIGNING_KEY (PEM text or a file's path); exit 2 when absent or bad. */
function signingKey(args: ParsedArgs, io: Io) {
  const fromEnv = io.env[SIGNING_KEY_ENV];
  let text: string;
  let where: string;
  if (args.key !== undefined) {
    const file = path.resolve(io.cwd, args.key);
    if (!existsSync(file))
      throw new HarnessError(
        'HARNESS_USAGE',
        `--key ${args.key}: no such file: give the private key \`harness keygen\` wrote (${PRIVATE_KEY_FILE})`,
      );
    text = readFileSync(file, 'utf8');
    where = `--key ${args.key}`;
  } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (fromEnv.includes('-----BEGIN')) {
      text = fromEnv;
      where = SIGNING_KEY_ENV;
    } else {
      const file = path.resolve(io.cwd, fromEnv.trim());
      if (!existsSync(file))
        throw new HarnessError(
          'HARNESS_USAGE',
          `${SIGNING_KEY_ENV} is neither a PEM private key nor the path of one (${shown(io, file)} does not exist): set it to the key's text or file`,
        );
      text = readFileSync(file, 'utf8');
      where = `${SIGNING_KEY_ENV} (${shown(io, file)})`;
    }
  } else {
    throw new HarnessError(
      'HARNESS_USAGE',
      `certify signs its bundle and needs a private key: make a pair with \`npx harness keygen\`, then give --key ${PRIVATE_KEY_FILE} (or set ${SIGNING_KEY_ENV})`,
    );
  }
  try {
    return readPrivateKey(text);
  } catch (error) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `${where}: ${(error as Error).message}: give the Ed25519 private key \`npx harness keygen\` wrote (${PRIVATE_KEY_FILE}), not the public one`,
    );
  }
}

/** What decides whether a run can certify anything (`notCertifiableReasons`). */
export interface CertifiabilityInput {
  config: Pick<
    ResolvedConfig,
    'targets' | 'selected' | 'grep' | 'tier' | 'shard' | 'retries' | 'failOn' | 'configFile' | 'cwd'
  >;
  /** The flags given on the command line (to say whether a setting came from there or the config file). */
  flags: ReadonlySet<string>;
  summary: Pick<RunSummary, 'interrupted' | 'notRun' | 'stopped' | 'merge'>;
  fuzz: { interrupted: boolean } | null;
}

/**
 * Every reason the run cannot certify the targets: seeded defects (named, with the config that set them), a
 * lenient setting other than the default, a part of the plan (`--grep`, `--tier smoke`, a shard, shards not
 * all merged), an interrupted or stopped run. Empty: certifiable.
 */
export function notCertifiableReasons(input: CertifiabilityInput): NotCertifiableReason[] {
  const { config, flags, summary } = input;
  const file =
    config.configFile === null
      ? 'the built-in defaults'
      : path.relative(config.cwd, config.configFile) || config.configFile;
  const from = (flag: string, field: string) => (flags.has(flag) ? `--${flag}` : `${file} ${field}`);
  const reasons: NotCertifiableReason[] = [];
  for (const target of config.selected) {
    const defects = target.options['defects'];
    if (Array.isArray(defects) && defects.length > 0) {
      const index = config.targets.findIndex((t) => t.name === target.name);
      const items = defects.map((d) => String(d));
      reasons.push({
        kind: 'seeded-defects',
        target: target.name,
        items,
        message: `target ${target.name} runs with seeded defects ${items.join(', ')} (set by ${file} targets[${index}].options.defects): a seeded defect makes the implementation deviate on purpose`,
      });
    }
  }
  if (config.grep.length > 0)
    reasons.push({
      kind: 'grep',
      items: [...config.grep],
      message: `${from('grep', 'grep')} ${config.grep.map((g) => JSON.stringify(g)).join(' ')}: only the matching cases ran, not the whole plan`,
    });
  if (config.tier !== 'full')
    reasons.push({
      kind: 'grep',
      items: [`tier ${config.tier}`],
      message: `${from('tier', 'tier')} ${config.tier}: only the ${config.tier} subset of the plan ran, not the whole plan`,
    });
  if (config.shard !== null)
    reasons.push({
      kind: 'incomplete-shards',
      items: [`${config.shard.index}/${config.shard.total}`],
      message: `--shard ${config.shard.index}/${config.shard.total}: only one part of the plan ran`,
    });
  if (summary.merge !== undefined && summary.merge.missing.length > 0)
    reasons.push({
      kind: 'incomplete-shards',
      items: [...summary.merge.missing],
      message: `shards not all merged: ${summary.merge.missing.join(', ')} missing`,
    });
  if (config.retries > 0)
    reasons.push({
      kind: 'lenient-option',
      items: [`retries ${config.retries}`],
      message: `${from('retries', 'retries')} ${config.retries} (lenient; the default is 0): a case that failed and then passed on a retry counts as flaky, not failed`,
    });
  const dropped = DEFAULT_FAIL_ON.filter((s) => !config.failOn.includes(s));
  if (dropped.length > 0)
    reasons.push({
      kind: 'lenient-option',
      items: [`failOn ${config.failOn.join(',')}`],
      message: `${from('fail-on', 'failOn')} ${config.failOn.join(',')} (lenient; the default is ${DEFAULT_FAIL_ON.join(',')}): ${dropped.join(', ')} no longer fail the run`,
    });
  if (summary.interrupted)
    reasons.push({ kind: 'interrupted', message: 'the run was interrupted (Ctrl-C or SIGTERM) before every case ran' });
  const notRun = Object.entries(summary.notRun ?? {});
  if (notRun.length > 0)
    reasons.push({
      kind: 'interrupted',
      items: notRun.map(([t, n]) => `${n} on ${t}`),
      message: `cases not run: ${notRun.map(([t, n]) => `${n} on ${t}`).join(', ')}${summary.stopped ? ` (${summary.stopped})` : ''}`,
    });
  else if (summary.stopped !== undefined)
    reasons.push({ kind: 'interrupted', message: `the run was stopped: ${summary.stopped}` });
  if (input.fuzz?.interrupted === true)
    reasons.push({ kind: 'interrupted', message: 'the fuzz run was interrupted before its budget was spent' });
  return reasons;
}

/** The option names whose values are secrets wherever they appear in a target's options. */
const SECRET_NAME = /key|password|passwd|secret|token|credential/i;

/** The configuration as resolved, every secret masked (the obfuscation key, secret-named options). */
export function redactedConfig(config: ResolvedConfig): Record<string, unknown> {
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  const mask = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(mask);
    if (isRecord(value))
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, SECRET_NAME.test(k) && typeof v === 'string' ? REDACTED : mask(v)]),
      );
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  };
  const { obfuscationKey, ...rest } = config;
  return redactor.value(mask({ ...rest, obfuscationKey: obfuscationKey === null ? null : REDACTED })) as Record<
    string,
    unknown
  >;
}

/** What a Ctrl-C (or SIGTERM) does at each stage of `harness certify`, as it says when one arrives. */
const ON_STOP = {
  run: 'finishing the cases in flight, then writing the bundle (marked not certifiable)',
  fuzz: 'reporting what was found so far, then writing the bundle (marked not certifiable)',
  bundle: 'the run and the fuzzing are over: finishing the bundle and its archive',
} as const;

/** What `harness certify` needs of the CLI's entry (main.ts) beside its flags. */
export interface CertifyContext {
  config: ResolvedConfig;
  commands: CommandContext;
  aliases: CaseAliases;
  harnessVersion: string;
  expectations: Expectations | null;
  /** The command line as typed, keys masked. */
  command: string;
  /** Runs `work` with Ctrl-C and SIGTERM as its abort signal (main.ts); `whatHappens` is read when one arrives. */
  onCtrlC<T>(whatHappens: () => string, work: (interrupt: AbortSignal) => Promise<T>): Promise<T>;
}

/** Prepares the bundle folder: a new one, an empty one, or an earlier bundle (replaced); anything else is refused. */
function prepareBundleDir(dir: string, io: Io): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MANIFEST_FILE) && !entries.includes(BUNDLE_FILES.certification)) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `--bundle ${shown(io, dir)} is a folder with other files in it: give a new or empty folder (an earlier bundle there is replaced)`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(`${dir}.tar.gz`, { force: true });
  mkdirSync(dir, { recursive: true });
}

/**
 * The identity of a target as observed: what its driver read from it (a device through Appium), or what it
 * told (`info`: an adapter's GET /v1/info, a server's version banner). Read as the target starts, before its
 * first case: what is recorded is what was tested.
 */
async function observedIdentity(
  target: ResolvedTarget,
  driver: TargetDriver,
  info: BaseTargetInfo,
): Promise<Record<string, unknown>> {
  const entry: Record<string, unknown> = { name: target.name, driver: target.driver, suite: suiteOf(target), info };
  if (driver.identity === undefined) entry['identity'] = { source: infoSource(target.driver), ...info };
  else {
    try {
      entry['identity'] = await driver.identity();
    } catch (error) {
      entry['identity'] = { unreadable: (error as Error).message };
    }
  }
  return entry;
}

/** Where a driver's info comes from, for the certificate. */
function infoSource(driver: string): string {
  if (driver === 'http') return 'adapter GET /v1/info';
  if (driver === 'emulated') return 'the emulated client (in process)';
  if (driver === 'appium') return 'the configuration (the device was not read)';
  return `the ${driver} server's info`;
}

function writeJson(dir: string, file: string, value: unknown): void {
  writeFileSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

/** Targets whose suite has fuzz properties (a suite without any is not fuzzed). */
function fuzzable(config: ResolvedConfig) {
  const suites = createSuites();
  return config.selected.filter((t) => (suites[suiteOf(t)]?.fuzzPropertyIds ?? []).length > 0);
}

/**
 * `harness certify`: the certification plan (every MUST and SHOULD case of the targets' suites, through the
 * runner), then the fuzz budget (through `harness fuzz`'s orchestration), then the bundle, signed.
 */
export async function certify(args: ParsedArgs, io: Io, ctx: CertifyContext): Promise<number> {
  const key = signingKey(args, io);
  const publicKey = publicKeyPem(key);
  const fingerprint = keyFingerprint(publicKey);
  const fuzzMs = args.fuzzTimeMs ?? DEFAULT_CERTIFY_FUZZ_MS;
  // The statement (`--ics`, config `ics`), checked before anything runs (a bad one is exit 2, naming the field).
  const icsFile = ctx.config.ics;
  const icsShown = icsFile === null ? null : shown(io, icsFile);
  const declared: Ics | null = icsFile === null ? null : loadIcs(icsFile, icsVocabularies(), icsShown ?? icsFile);
  const dir = path.resolve(io.cwd, args.bundle ?? DEFAULT_BUNDLE_DIR);
  prepareBundleDir(dir, io);
  const startedAt = new Date().toISOString();
  // Until the bundle is signed, it says it is unfinished (and a later certify may replace it).
  writeJson(dir, BUNDLE_FILES.certification, {
    format: BUNDLE_FORMAT,
    status: 'in-progress',
    startedAt,
    message: 'certify has not finished: this folder is no bundle (no manifest.json); run certify again',
  });
  // The bundle's reports, whatever the config's reporters: their layout is the bundle's.
  const reporters = ['console', 'jsonl', 'summary', 'junit', 'allure'];
  const config: ResolvedConfig = { ...ctx.config, outputDir: dir, reporters };
  const redactor = new Redactor();
  redactor.add(config.obfuscationKey);
  const results: CaseResult[] = [];
  const identities = new Map<string, Record<string, unknown>>();
  let announced: TargetRun[] = [];
  let runSuites: RunSuite[] = [];
  const collector: Reporter = {
    onBegin: (run, targets) => {
      announced = targets;
      runSuites = run.suites ?? [];
    },
    onCaseEnd: (r) => void results.push(r),
  };
  const reporter = new ReporterMultiplexer([
    {
      name: 'reports',
      reporter: createReporters(reporters as ReporterSpec[], {
        outputDir: dir,
        redact: noRedaction,
        env: io.env,
        stdout: io.stdout,
      }),
    },
    { name: 'certify', reporter: collector },
  ]);
  io.stderr(
    `certify: ${config.grep.length > 0 || config.tier !== 'full' ? 'part of the plan' : 'the whole plan'} of ${config.selected.map((t) => t.name).join(', ')}${declared === null ? '' : ` under ${icsShown ?? ''}`}, then ${fuzzMs === 0 ? 'no fuzzing (--fuzz-time 0)' : `${Math.round(fuzzMs / 1000)} s of fuzzing`}; bundle ${shown(io, dir)}\n`,
  );
  // One stop handler for the whole command, the bundle's writing included: Ctrl-C under npx arrives twice
  // (the terminal's and npm's), and one arriving between the run and the fuzzing, or while the bundle is
  // written, must not kill the process with a bundle half written and no archive.
  let phase: keyof typeof ON_STOP = 'run';
  return ctx.onCtrlC(
    () => ON_STOP[phase],
    async (interrupt) => {
      const outcome = await runPlan(
        config,
        {
          suites: createSuites(config),
          suiteOf,
          drivers: DRIVERS,
          reporter,
          redactor,
          commands: ctx.commands,
          aliases: ctx.aliases,
          notice: (text) => io.stderr(`notice: ${text}\n`),
          expectations: ctx.expectations,
          onTargetStarted: async (target, driver, info) =>
            void identities.set(target.name, await observedIdentity(target, driver, info)),
          ...(declared === null ? {} : { ics: { ics: declared, where: icsShown ?? '' } }),
        },
        { startedAt, command: ctx.command, harnessVersion: ctx.harnessVersion },
        interrupt,
      );
      // The fuzz budget, on the targets whose suite has fuzz properties; its failures are kept inside the bundle.
      let fuzzEnd: { exitCode: number; interrupted: boolean; targets: string[] } | null = null;
      const fuzzTargets = fuzzable(config);
      if (fuzzMs > 0 && fuzzTargets.length > 0 && !outcome.summary.interrupted) {
        phase = 'fuzz';
        const fuzzDir = path.join(dir, 'fuzz');
        const fuzzConfig: ResolvedConfig = {
          ...config,
          selected: fuzzTargets,
          outputDir: fuzzDir,
          reporters: ['summary', 'allure'],
          fuzz: {
            ...config.fuzz,
            timeMs: fuzzMs,
            timePerPropertyMs: Number.POSITIVE_INFINITY,
            runs: Number.POSITIVE_INFINITY,
            properties: null,
            against: null,
            corpus: path.join(fuzzDir, 'regressions'),
          },
        };
        const exitCode = await fuzz(
          fuzzConfig,
          {
            explicitTargets: true,
            commands: ctx.commands,
            aliases: ctx.aliases,
            run: { startedAt: new Date().toISOString(), command: ctx.command, harnessVersion: ctx.harnessVersion },
          },
          io,
          interrupt,
        );
        fuzzEnd = { exitCode, interrupted: interrupt.aborted, targets: fuzzTargets.map((t) => t.name) };
      }
      phase = 'bundle';
      const endedAt = new Date().toISOString();
      const reasons = notCertifiableReasons({
        config,
        flags: new Set(args.given),
        summary: outcome.summary,
        fuzz: fuzzEnd,
      });
      const observed = redactor.value(
        config.selected.flatMap((t): Record<string, unknown>[] => {
          const found = identities.get(t.name);
          return found === undefined ? [] : [found];
        }),
      );
      const passed = outcome.exitCode === 0 && (fuzzEnd === null || fuzzEnd.exitCode === 0);
      const manifest = writeBundle(dir, {
        config,
        cwd: io.cwd,
        command: ctx.command,
        harnessVersion: ctx.harnessVersion,
        startedAt,
        endedAt,
        results,
        targets: announced,
        suites: runSuites,
        identities: observed,
        declared,
        ...(icsShown === null ? {} : { icsWhere: icsShown }),
        run: { exitCode: outcome.exitCode, summary: outcome.summary },
        fuzz: { budgetMs: fuzzMs, end: fuzzEnd },
        reasons,
        expectationsFile:
          config.expectations === null || ctx.expectations === null ? null : shown(io, config.expectations),
        key,
      });
      const archive = writeArchive(dir);
      // The public key beside the private one (as keygen writes them), for the command to paste.
      const pub =
        args.key !== undefined && existsSync(path.join(path.dirname(path.resolve(io.cwd, args.key)), PUBLIC_KEY_FILE))
          ? path.join(path.dirname(path.resolve(io.cwd, args.key)), PUBLIC_KEY_FILE)
          : null;
      const verifyLine = harnessCommand({ ...ctx.commands, flags: [] }, 'verify', [
        printedPath(ctx.commands, dir),
        ...(pub === null ? [] : ['--key', printedPath(ctx.commands, pub)]),
      ]);
      io.stdout(
        [
          '',
          `Bundle: ${shown(io, dir)} (${Object.keys(manifest.files).length + 2} files) and ${shown(io, archive)}, signed by key ${fingerprint}`,
          `Result: ${passed ? 'PASS' : 'FAIL'} (${outcome.summary.total} case(s)${fuzzEnd === null ? ', no fuzzing' : `, fuzzing ${fuzzEnd.exitCode === 0 ? 'found nothing' : 'found failures'}`})`,
          reasons.length === 0 ? 'Certifiable: yes' : `NOT CERTIFIABLE (${reasons.length} reason(s)):`,
          ...reasons.map((r) => `  - ${r.message}`),
          `Certificate: ${shown(io, path.join(dir, BUNDLE_FILES.certificate))}`,
          `Check it: \`${verifyLine}\`${pub === null ? " (add --key with the signer's public key)" : ''}`,
          '',
        ].join('\n'),
      );
      return passed && reasons.length === 0 ? 0 : 1;
    },
  );
}

/** A target as the certificate shows it: declared (the ICS) and observed (read from it), flat label -> value. */
function certificateTarget(entry: Record<string, unknown>, declared: Ics | null): CertificateTarget {
  const suite = String(entry['suite']);
  const identity = isRecord(entry['identity']) ? entry['identity'] : {};
  const observed: Record<string, string> = {};
  const flat = (prefix: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (isRecord(value)) for (const [k, v] of Object.entries(value)) flat(prefix === '' ? k : `${prefix}.${k}`, v);
    else if (Array.isArray(value) && value.every(isRecord))
      // One entry per device: labelled by its udid.
      value.forEach((v, i) => flat(`${prefix} ${typeof v['udid'] === 'string' ? v['udid'] : i + 1}`, v));
    else if (Array.isArray(value)) observed[prefix] = value.map(String).join(', ');
    else observed[prefix] = String(value);
  };
  const { source, ...rest } = identity;
  flat('', rest);
  const statement = declared?.suites[suite];
  return {
    name: String(entry['name']),
    suite,
    driver: String(entry['driver']),
    ...(statement === undefined ? {} : { declared: statement.identity }),
    observed,
    observedFrom: typeof source === 'string' ? source : 'the target',
  };
}

/** What a bundle is written from (`writeBundle`). */
export interface BundleInput {
  config: ResolvedConfig;
  cwd: string;
  command: string;
  harnessVersion: string;
  startedAt: string;
  endedAt: string;
  /** Every result of the run, as the reporters got them (redacted). */
  results: readonly CaseResult[];
  /** The targets as the run announced them, and the run's suites. */
  targets: readonly TargetRun[];
  suites: readonly RunSuite[];
  /** Each target's identity as observed (observedIdentity), redacted. */
  identities: Record<string, unknown>[];
  declared: Ics | null;
  /** The statement's file as the run's messages name it (`--ics` as given). */
  icsWhere?: string;
  run: { exitCode: number; summary: RunSummary };
  fuzz: { budgetMs: number; end: { exitCode: number; interrupted: boolean; targets: string[] } | null };
  reasons: NotCertifiableReason[];
  expectationsFile: string | null;
  key: KeyObject;
}

/**
 * Writes the bundle's own files beside the reports the run wrote in `dir` (certification.json, harness.json,
 * digests.json, config.json, targets.json, the statements, certificate.html), then manifest.json and its
 * signature. Everything that reaches these files comes from redacted results or the redacted configuration.
 */
export function writeBundle(dir: string, input: BundleInput): Manifest {
  const { config, declared, reasons, startedAt, endedAt, results, key } = input;
  const outcome = input.run;
  const fuzzMs = input.fuzz.budgetMs;
  const fuzzEnd = input.fuzz.end;
  const identities = input.identities;
  const publicKey = publicKeyPem(key);
  const fingerprint = keyFingerprint(publicKey);
  const passed = outcome.exitCode === 0 && (fuzzEnd === null || fuzzEnd.exitCode === 0);
  const harness: HarnessIdentity = harnessIdentity(input.harnessVersion);
  const env = environment();
  const digests: Digests = { vectors: vectorDigests(config.vectorsRoot), code: codeDigests() };
  const observed = observedIcs(
    input.targets.map((t) => ({
      suite: t.suite ?? '',
      info: t.info,
      results: results.filter((r) => r.target === t.name),
    })),
  );
  const certification = {
    format: BUNDLE_FORMAT,
    startedAt,
    endedAt,
    command: input.command,
    targets: config.selected.map((t) => t.name),
    plan: { tier: config.tier, grep: config.grep, seed: config.seed },
    // The statement's copy, and its name as the run's messages give it (verify applies it again under that name).
    ics: declared === null ? null : { file: BUNDLE_FILES.icsGiven, where: input.icsWhere ?? BUNDLE_FILES.icsGiven },
    run: {
      exitCode: outcome.exitCode,
      counts: outcome.summary.counts,
      total: outcome.summary.total,
      interrupted: outcome.summary.interrupted,
      notRun: outcome.summary.notRun ?? {},
      durationMs: outcome.summary.durationMs,
    },
    fuzz:
      fuzzMs === 0
        ? { budgetMs: 0, ran: false, reason: '--fuzz-time 0' }
        : { budgetMs: fuzzMs, ran: fuzzEnd !== null, ...(fuzzEnd ?? {}) },
    result: passed ? 'pass' : 'fail',
    certifiable: reasons.length === 0,
    reasons,
    keyFingerprint: fingerprint,
  };
  writeJson(dir, BUNDLE_FILES.certification, certification);
  writeJson(dir, BUNDLE_FILES.harness, { ...harness, environment: env });
  writeJson(dir, BUNDLE_FILES.digests, digests);
  writeJson(dir, BUNDLE_FILES.config, redactedConfig(config));
  writeJson(dir, BUNDLE_FILES.targets, identities);
  if (declared !== null) writeFileSync(path.join(dir, BUNDLE_FILES.icsGiven), icsText(declared));
  writeFileSync(path.join(dir, BUNDLE_FILES.icsObserved), icsText(observed));
  const suites = createSuites();
  writeFileSync(
    path.join(dir, BUNDLE_FILES.certificate),
    certificatePage({
      targets: identities.map((t) => certificateTarget(t, declared)),
      environment: {
        harnessVersion: harness.version,
        harnessCommit:
          harness.commit === null
            ? null
            : `${harness.commit.sha}${harness.commit.dirty ? ' (with uncommitted changes)' : ''}`,
        packageDigest: harness.packageDigest,
        node: env['node'] ?? process.version,
        os: env['os'] ?? '',
        ...(env['appium'] ? { appium: env['appium'] } : {}),
        ...(env['chromium'] ? { chromium: env['chromium'] } : {}),
        other: {
          seed: String(config.seed),
          config: config.configFile === null ? 'built-in defaults' : shown({ cwd: input.cwd }, config.configFile),
          fuzzing: fuzzMs === 0 ? 'none (--fuzz-time 0)' : `${Math.round(fuzzMs / 1000)} s`,
          result: passed ? 'pass' : 'fail',
        },
      },
      startedAt,
      endedAt,
      result: { certifiable: reasons.length === 0, reasons, outcome: passed ? 'pass' : 'fail' },
      fuzz:
        fuzzMs === 0 || fuzzEnd === null
          ? {
              budgetMs: fuzzMs,
              targets: [],
              outcome: 'not-run',
              note:
                fuzzMs === 0 ? '--fuzz-time 0' : 'no target of the run has fuzz properties, or the run was interrupted',
            }
          : {
              budgetMs: fuzzMs,
              targets: fuzzEnd.targets,
              outcome: fuzzEnd.exitCode === 0 ? 'nothing-found' : 'failures',
              ...(fuzzEnd.exitCode === 0
                ? {}
                : { note: 'the failures are kept, shrunk, in fuzz/regressions/ of the bundle' }),
            },
      results,
      suites: input.suites.map((s) => ({
        name: s.name,
        specification: s.specification,
        requirements: s.requirements,
        choicePoints: suites[s.name]?.catalogue().choicePoints ?? [],
      })),
      ics: { declared, observed },
      expectationsFile: input.expectationsFile,
      signingKey: { fingerprint: publicKeyFingerprint(publicKey), algorithm: 'Ed25519' },
    }),
  );
  return signBundle(dir, {
    harnessVersion: input.harnessVersion,
    certifiable: reasons.length === 0,
    reasons: reasons.map((r) => r.message),
    publicKey,
    keyFingerprint: fingerprint,
    key,
  });
}

/** Writes manifest.json (every file's SHA-256) and manifest.sig (its Ed25519 signature). */
export function signBundle(
  dir: string,
  m: Omit<Manifest, 'format' | 'files' | 'createdAt'> & { key: ReturnType<typeof readPrivateKey> },
): Manifest {
  const files: Record<string, string> = {};
  for (const f of filesUnder(dir)) {
    if (f === MANIFEST_FILE || f === SIGNATURE_FILE) continue;
    files[f] = sha256(readFileSync(path.join(dir, f)));
  }
  const { key, ...rest } = m;
  const manifest: Manifest = { format: BUNDLE_FORMAT, createdAt: new Date().toISOString(), ...rest, files };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, MANIFEST_FILE), bytes);
  writeFileSync(path.join(dir, SIGNATURE_FILE), `${signBytes(bytes, key)}\n`);
  return manifest;
}

/** `<dir>.tar.gz` of the bundle, its top folder named as the directory. */
export function writeArchive(dir: string): string {
  const file = `${dir}.tar.gz`;
  const entries = filesUnder(dir).map((f) => ({ path: f, data: readFileSync(path.join(dir, f)) }));
  writeFileSync(file, tarGz(path.basename(dir), entries, Math.floor(Date.now() / 1000)));
  return file;
}

export { readPublicKey, verifyBytes };
