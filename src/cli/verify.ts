/**
 * `harness verify <bundle> [--key pub.pem]` (docs/certification.md): a certification bundle checked by anyone
 * with the harness. Exit 0: valid; 1: invalid, every discrepancy listed; 2: usage (not a bundle, a bad key).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { HarnessError } from '../core/errors.ts';
import { isRecord } from '../core/json.ts';
import { VERDICTS, type CaseResult, type Verdict } from '../core/results.ts';
import { keyFingerprint, readPublicKey, sha256, verifyBytes } from '../core/signing.ts';
import { applyIcs, type Ics } from '../core/ics.ts';
import { rejudgeResults, rejudgeTargetOf, type RejudgeTargetRecord } from '../core/rejudge.ts';
import type { RunRecord } from '../core/run-record.ts';
import { suiteLoadContext, type AnySuite } from '../runner/run.ts';
import type { ParsedArgs } from './args.ts';
import { createSuites } from './builtins.ts';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  codeDigests,
  harnessIdentity,
  MANIFEST_FILE,
  readBundle,
  SIGNATURE_FILE,
  vectorDigests,
  type Digests,
  type Manifest,
} from './bundle.ts';

export interface VerifyIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface VerifyContext {
  config: ResolvedConfig;
  harnessVersion: string;
}

/** One check's outcome: what it found wrong (empty: nothing) and what it says either way. */
interface Check {
  name: string;
  ok: string;
  problems: string[];
  notes?: string[];
}

function json(files: Map<string, Buffer>, name: string): { value: unknown; problem: string | null } {
  const data = files.get(name);
  if (data === undefined) return { value: null, problem: `${name} is missing` };
  try {
    return { value: JSON.parse(data.toString('utf8')) as unknown, problem: null };
  } catch (error) {
    return { value: null, problem: `${name} is not JSON (${(error as Error).message})` };
  }
}

/** The differences between two path -> digest tables, named ("changed: a, b"), at most `limit` per kind. */
export function digestDifferences(
  recorded: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>>,
  limit = 20,
): { changed: string[]; missing: string[]; extra: string[] } {
  const changed = Object.keys(recorded).filter((f) => current[f] !== undefined && current[f] !== recorded[f]);
  const missing = Object.keys(recorded).filter((f) => current[f] === undefined);
  const extra = Object.keys(current).filter((f) => recorded[f] === undefined);
  const cut = (list: string[]) =>
    list.length > limit ? [...list.slice(0, limit), `... ${list.length - limit} more`] : list;
  return { changed: cut(changed), missing: cut(missing), extra: cut(extra) };
}

function listed(what: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`${what}: ${items.join(', ')}`];
}

/** results.jsonl, line by line; a line that is not a result is a problem. */
function readResults(files: Map<string, Buffer>): { results: CaseResult[]; problems: string[] } {
  const data = files.get(BUNDLE_FILES.results);
  if (data === undefined) return { results: [], problems: [`${BUNDLE_FILES.results} is missing`] };
  const results: CaseResult[] = [];
  const problems: string[] = [];
  data
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const value = JSON.parse(line) as unknown;
        if (
          !isRecord(value) ||
          typeof value['id'] !== 'string' ||
          !(VERDICTS as readonly unknown[]).includes(value['verdict'])
        )
          problems.push(`${BUNDLE_FILES.results} line ${i + 1} is not a case result`);
        else results.push(value as unknown as CaseResult);
      } catch {
        problems.push(`${BUNDLE_FILES.results} line ${i + 1} is not JSON`);
      }
    });
  return { results, problems };
}

export async function verify(args: ParsedArgs, io: VerifyIo, ctx: VerifyContext): Promise<number> {
  const [given, ...extra] = args.positionals;
  if (given === undefined || extra.length > 0) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `verify needs one bundle: npx harness verify <bundle directory or .tar.gz> [--key <signer's public key>]`,
    );
  }
  let givenKey: ReturnType<typeof readPublicKey> | null = null;
  if (args.key !== undefined) {
    const file = path.resolve(io.cwd, args.key);
    if (!existsSync(file))
      throw new HarnessError(
        'HARNESS_USAGE',
        `--key ${args.key}: no such file: give the signer's public key (harness-signing.pub)`,
      );
    try {
      givenKey = readPublicKey(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new HarnessError(
        'HARNESS_USAGE',
        `--key ${args.key}: ${(error as Error).message}: give the signer's Ed25519 public key`,
      );
    }
  }
  const bundle = readBundle(given, io.cwd);
  const { files } = bundle;
  const checks: Check[] = [];

  // The manifest and its signature.
  const manifestBytes = files.get(MANIFEST_FILE) as Buffer;
  const parsed = json(files, MANIFEST_FILE);
  const manifest =
    isRecord(parsed.value) && parsed.value['format'] === BUNDLE_FORMAT ? (parsed.value as unknown as Manifest) : null;
  if (manifest === null) {
    checks.push({
      name: 'manifest',
      ok: '',
      problems: [parsed.problem ?? `${MANIFEST_FILE} is not a manifest of format ${BUNDLE_FORMAT}`],
    });
  }
  const signature = files.get(SIGNATURE_FILE)?.toString('utf8') ?? null;
  {
    const problems: string[] = [];
    const notes: string[] = [];
    let ok = '';
    if (signature === null) problems.push(`${SIGNATURE_FILE} is missing: the bundle is not signed`);
    else {
      let key = givenKey;
      if (key === null && manifest !== null) {
        try {
          key = readPublicKey(manifest.publicKey);
        } catch (error) {
          problems.push(`the manifest's public key is unreadable: ${(error as Error).message}`);
        }
        notes.push(
          "checked with the key embedded in the bundle (no --key): this shows the bundle was not changed after signing, not who signed it; give the vendor's public key with --key",
        );
      }
      if (key !== null) {
        const fingerprint = keyFingerprint(key);
        if (!verifyBytes(manifestBytes, signature, key))
          problems.push(
            givenKey !== null
              ? `the signature does not verify with --key ${args.key ?? ''} (fingerprint ${fingerprint}): the bundle was changed after signing, or signed with another key${manifest !== null && manifest.keyFingerprint !== fingerprint ? ` (the bundle names key ${manifest.keyFingerprint})` : ''}`
              : `the signature does not verify with the bundle's own key (${fingerprint}): the manifest was changed after signing`,
          );
        else
          ok = `signed by key ${fingerprint}${givenKey !== null ? ` (--key ${args.key ?? ''})` : " (the bundle's own key)"}`;
        if (manifest !== null && givenKey === null && manifest.keyFingerprint !== fingerprint)
          problems.push(`the manifest names key ${manifest.keyFingerprint}, but embeds key ${fingerprint}`);
      }
    }
    checks.push({ name: 'signature', ok, problems, notes });
  }

  // Every file against the manifest.
  if (manifest !== null) {
    const current: Record<string, string> = {};
    for (const [name, data] of files)
      if (name !== MANIFEST_FILE && name !== SIGNATURE_FILE) current[name] = sha256(data);
    const diff = digestDifferences(manifest.files, current);
    checks.push({
      name: 'files',
      ok: `${Object.keys(manifest.files).length} files match the manifest`,
      problems: [
        ...listed('changed since signing', diff.changed),
        ...listed('missing', diff.missing),
        ...listed('not in the manifest', diff.extra),
      ],
    });
  }

  // The harness and what it judges with.
  const harness = json(files, BUNDLE_FILES.harness);
  const digests = json(files, BUNDLE_FILES.digests);
  {
    const problems: string[] = [];
    const notes: string[] = [];
    if (harness.problem !== null) problems.push(harness.problem);
    else if (isRecord(harness.value)) {
      const version = harness.value['version'];
      if (version !== ctx.harnessVersion)
        problems.push(
          `the bundle was made with harness ${String(version)}, this is ${ctx.harnessVersion}: verify with the version it names`,
        );
      const mine = harnessIdentity(ctx.harnessVersion);
      const theirs = harness.value['commit'];
      const theirSha = isRecord(theirs) && typeof theirs['sha'] === 'string' ? theirs['sha'] : null;
      if (theirSha !== null && mine.commit !== null && mine.commit.sha !== theirSha)
        notes.push(`made at commit ${theirSha}, verified at ${mine.commit.sha} (the digests below decide)`);
      if (isRecord(theirs) && theirs['dirty'] === true) notes.push('made from a checkout with uncommitted changes');
    }
    checks.push({ name: 'harness', ok: `version ${ctx.harnessVersion}`, problems, notes });
  }
  if (digests.problem !== null) checks.push({ name: 'vectors', ok: '', problems: [digests.problem] });
  else if (isRecord(digests.value)) {
    const recorded = digests.value as unknown as Digests;
    const vectors = digestDifferences(recorded.vectors ?? {}, vectorDigests(ctx.config.vectorsRoot));
    checks.push({
      name: 'vectors',
      ok: `${Object.keys(recorded.vectors ?? {}).length} vector and schema files match this harness's`,
      problems: [
        ...listed("differ from this harness's", vectors.changed),
        ...listed('not in this harness', vectors.missing),
        ...listed('only in this harness', vectors.extra),
      ],
    });
    const code = digestDifferences(recorded.code ?? {}, codeDigests());
    checks.push({
      name: 'code',
      ok: `${Object.keys(recorded.code ?? {}).length} files of the suites and the engine match this harness's`,
      problems: [
        ...listed("differ from this harness's", code.changed),
        ...listed('not in this harness', code.missing),
        ...listed('only in this harness', code.extra),
      ],
    });
  }

  // The recorded results: readable, and consistent with the summary.
  const { results, problems: resultProblems } = readResults(files);
  {
    const problems = [...resultProblems];
    const summary = json(files, BUNDLE_FILES.summary);
    if (summary.problem !== null) problems.push(summary.problem);
    else if (isRecord(summary.value) && isRecord(summary.value['counts'])) {
      const counts = summary.value['counts'] as Record<string, number>;
      const recount: Record<string, number> = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
      for (const r of results) recount[r.verdict] = (recount[r.verdict] ?? 0) + 1;
      const off = VERDICTS.filter((v: Verdict) => (counts[v] ?? 0) !== recount[v]);
      if (off.length > 0)
        problems.push(
          `${BUNDLE_FILES.summary} counts ${off.map((v) => `${counts[v] ?? 0} ${v}`).join(', ')}, ${BUNDLE_FILES.results} has ${off.map((v) => `${recount[v] ?? 0} ${v}`).join(', ')}`,
        );
    }
    checks.push({ name: 'results', ok: `${results.length} results, counted as the summary counts them`, problems });
  }

  const certification = json(files, BUNDLE_FILES.certification);
  // Every recorded observation judged again, with this harness's model and vectors (and the bundle's ICS).
  {
    const problems: string[] = [];
    const notes: string[] = [];
    const run = json(files, 'run.json');
    const bundleConfig = json(files, BUNDLE_FILES.config);
    const given = files.has(BUNDLE_FILES.icsGiven) ? json(files, BUNDLE_FILES.icsGiven) : null;
    if (run.problem !== null) problems.push(run.problem);
    else if (!isRecord(run.value) || !Array.isArray(run.value['targets'])) problems.push('run.json holds no targets');
    else {
      const record = run.value as unknown as RunRecord;
      const ics =
        given !== null && given.problem === null && isRecord(given.value) && isRecord(given.value['suites'])
          ? (given.value as unknown as Ics)
          : null;
      if (given?.problem) problems.push(given.problem);
      // The statement's name as the run's messages gave it (certification.json), for the same messages again.
      const statement = isRecord(certification.value) ? certification.value['ics'] : null;
      const icsWhere =
        isRecord(statement) && typeof statement['where'] === 'string' ? statement['where'] : BUNDLE_FILES.icsGiven;
      const precedenceOf = (name: string): number[] | null => {
        const targets = isRecord(bundleConfig.value) ? bundleConfig.value['selected'] : null;
        const t = Array.isArray(targets) ? targets.find((x) => isRecord(x) && x['name'] === name) : undefined;
        return isRecord(t) && Array.isArray(t['precedence']) ? (t['precedence'] as number[]) : null;
      };
      const targets: Record<string, RejudgeTargetRecord> = {};
      for (const t of record.targets)
        targets[t.name] = {
          ...rejudgeTargetOf(t),
          precedence: precedenceOf(t.name),
          // Under a statement declaring its suite, the run recorded every choice an answer showed.
          ...(ics !== null && t.suite !== undefined && ics.suites[t.suite] !== undefined ? { everyChoice: true } : {}),
        };
      // The suites of the bundle's targets, loaded with this harness's vectors (checked above against the digests).
      const all = createSuites(ctx.config);
      const suites: Record<string, AnySuite> = {};
      for (const name of new Set(record.targets.map((t) => t.suite).filter((n): n is string => n !== undefined))) {
        const suite = all[name];
        if (suite === undefined) {
          problems.push(`the bundle's targets run the ${name} suite, which this harness does not have`);
          continue;
        }
        await suite.load(suiteLoadContext(ctx.config));
        suites[name] = suite;
      }
      const report = await rejudgeResults(results, {
        suites,
        targets,
        ...(ics === null
          ? {}
          : {
              apply: (recorded, recomputed) => {
                const applied = applyIcs({ ...recorded, ...recomputed }, ics, icsWhere);
                const { category } = applied;
                return {
                  ...recomputed,
                  verdict: applied.verdict,
                  message: applied.message,
                  ...(category === undefined ? {} : { category }),
                };
              },
            }),
      });
      const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
      for (const d of report.discrepancies.slice(0, 50))
        problems.push(
          `${d.target} ${d.id}: recorded ${d.field} ${show(d.recorded)}, judged again ${show(d.recomputed)}`,
        );
      if (report.discrepancies.length > 50) problems.push(`... ${report.discrepancies.length - 50} more`);
      if (report.skipped.length > 0) {
        const reasons = new Map<string, number>();
        for (const s of report.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
        for (const [reason, n] of reasons) notes.push(`${n} result(s) not judged again: ${reason}`);
      }
      checks.push({
        name: 'verdicts',
        ok:
          `${report.checked} result(s) judged again from their recorded observations${ics === null ? '' : ` (under ${BUNDLE_FILES.icsGiven})`}, every judgement the same` +
          (report.skipped.length > 0 ? `; ${report.skipped.length} not judged again (notes below)` : ''),
        problems,
        notes,
      });
    }
    if (run.problem !== null || (problems.length > 0 && !checks.some((c) => c.name === 'verdicts')))
      checks.push({ name: 'verdicts', ok: '', problems, notes });
  }

  // What the bundle says of itself.
  const certifiable = manifest?.certifiable === true;
  {
    const problems: string[] = [];
    if (certification.problem !== null) problems.push(certification.problem);
    else if (
      isRecord(certification.value) &&
      manifest !== null &&
      certification.value['certifiable'] !== manifest.certifiable
    )
      problems.push(`${BUNDLE_FILES.certification} and ${MANIFEST_FILE} disagree on whether the bundle is certifiable`);
    if (problems.length > 0) checks.push({ name: 'statement', ok: '', problems });
  }

  const bad = checks.filter((c) => c.problems.length > 0);
  const lines = [`Verifying ${given} (${files.size} files)`];
  for (const c of checks) {
    lines.push(`  ${c.name.padEnd(10)} ${c.problems.length === 0 ? `ok: ${c.ok}` : 'FAILED'}`);
    for (const p of c.problems) lines.push(`    x ${p}`);
    for (const n of c.notes ?? []) lines.push(`    note: ${n}`);
  }
  if (manifest !== null) {
    lines.push(
      certifiable
        ? '  certifiable: yes'
        : `  certifiable: NO (${manifest.reasons.length} reason(s), as the bundle records them):`,
      ...(certifiable ? [] : manifest.reasons.map((r) => `    - ${r}`)),
    );
  }
  const count = bad.reduce((n, c) => n + c.problems.length, 0);
  lines.push(
    '',
    bad.length === 0
      ? `VALID: ${given} is what the harness recorded${certifiable ? '' : ' (but NOT CERTIFIABLE, see above)'}`
      : `INVALID: ${count} discrepanc${count === 1 ? 'y' : 'ies'} (${bad.map((c) => c.name).join(', ')})`,
    '',
  );
  io.stdout(lines.join('\n'));
  return bad.length === 0 ? 0 : 1;
}
