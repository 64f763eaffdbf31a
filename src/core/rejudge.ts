/**
 * Re-judging (the verify command, docs/rejudge.md): every recorded result judged again from its
 * recorded observations alone (`CaseResult.observations`), with the suite's model and the vectors of the
 * harness that verifies, and the run-level checks recomputed from the re-judged cases. Each recomputed
 * verdict, message, category and choices must equal the recorded ones: an edited verdict, an edited
 * observation, a swapped vector file or a result from another model shows as a discrepancy naming the case.
 *
 * No target, no session: a suite's `rejudge` is pure (src/core/suite.ts).
 */
import { stripAnsi } from './ansi.ts';
import { parseCaseId } from './case-ids.ts';
import { escapeControls } from './errors.ts';
import type { Redactor } from './redact.ts';
import type { TargetRun } from './reporter.ts';
import type { CaseResult } from './results.ts';
import type { PlannedCase, RecordedCase, Rejudged, RejudgeTarget, Suite } from './suite.ts';
import type { BaseTargetInfo } from './types.ts';

type AnySuite = Suite<unknown, BaseTargetInfo, unknown>;

/** A target of the run as re-judging needs it: from run.json (`targets`) and the resolved configuration. */
export interface RejudgeTargetRecord {
  /** Its suite's registry name (run.json); absent: the suite whose case-id prefix its cases carry. */
  suite?: string;
  /** What the target told (run.json `info`). */
  info: BaseTargetInfo;
  /** Its declared check order (the configuration's `precedence`), or null. */
  precedence?: number[] | null;
  /** The run recorded every choice an answer showed (it ran under an ICS declaring the target's suite). */
  everyChoice?: boolean;
  /** The target's whole plan in run order (run.json `order`): the run-level checks read the cases so. */
  order?: readonly string[];
}

/**
 * A target of run.json as re-judging reads it: its suite, what it told and its plan's order. What the
 * configuration adds (its `precedence`, a statement's `everyChoice`) is the caller's to add.
 */
export function rejudgeTargetOf(target: TargetRun): RejudgeTargetRecord {
  return {
    ...(target.suite === undefined ? {} : { suite: target.suite }),
    info: target.info,
    ...(target.order === undefined ? {} : { order: target.order }),
  };
}

export interface RejudgeContext {
  /**
   * Every suite by registry name, loaded (`load`) with the verifying harness's own vectors (which verify
   * has checked against the bundle's digests).
   */
  suites: Readonly<Record<string, AnySuite>>;
  /** Each target of the run by name. A result of a target not listed is skipped (nothing says what it told). */
  targets: Readonly<Record<string, RejudgeTargetRecord>>;
  /**
   * Applied to each recomputed judgement before it is compared, for what decided the verdict after the
   * suite judged it (verify: the bundle's ICS, `applyIcs`). Absent: the suite's judgement is compared as is.
   */
  apply?(recorded: CaseResult, recomputed: Rejudged): Rejudged;
  /**
   * The run-wide secrets (the configuration's: the obfuscation key, credentials), which the run redacted
   * from every result before writing it: applied to each recomputed message as the run applied them.
   */
  redactor?: Redactor;
}

/** One field whose recomputed value differs from the recorded one. */
export interface RejudgeDiscrepancy {
  id: string;
  target: string;
  /** `verdict`, `message`, `category`, `choices`; `result` for a run-level check one side lacks. */
  field: string;
  recorded: unknown;
  recomputed: unknown;
}

export interface RejudgeReport {
  /** Results judged again (cases and run-level checks). */
  checked: number;
  /** Results that could not be judged again, each with the reason. */
  skipped: { id: string; target: string; reason: string }[];
  discrepancies: RejudgeDiscrepancy[];
}

/** The fields compared: the judgement a reader relies on. */
const FIELDS = ['verdict', 'message', 'category', 'choices'] as const;

/** Equal JSON values (object keys in any order). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function compare(
  out: RejudgeDiscrepancy[],
  recorded: Pick<CaseResult, 'id' | 'target'> & Partial<Rejudged>,
  recomputed: Partial<Rejudged>,
): boolean {
  let equal = true;
  for (const field of FIELDS) {
    const a = recorded[field];
    const b = recomputed[field];
    if (same(a, b)) continue;
    equal = false;
    out.push({ id: recorded.id, target: recorded.target, field, recorded: a ?? null, recomputed: b ?? null });
  }
  return equal;
}

/**
 * Judges every result again (see the file's comment). Results are grouped by target; each target's
 * run-level checks are recomputed with its suite's `runChecks` from the cases' recomputed judgements (a
 * case that could not be judged again enters with what was recorded) and compared with the recorded ones.
 */
export async function rejudgeResults(results: readonly CaseResult[], context: RejudgeContext): Promise<RejudgeReport> {
  const report: RejudgeReport = { checked: 0, skipped: [], discrepancies: [] };
  const byPrefix = new Map<string, [string, AnySuite]>();
  for (const [name, suite] of Object.entries(context.suites)) byPrefix.set(suite.caseIdPrefix, [name, suite]);
  const planned = new Map<AnySuite, Map<string, PlannedCase>>();
  const plannedOf = (suite: AnySuite) => {
    let found = planned.get(suite);
    if (found === undefined) planned.set(suite, (found = new Map(suite.list().map((c) => [c.id, c]))));
    return found;
  };
  const suiteOf = (result: CaseResult, target: RejudgeTargetRecord | undefined): [string, AnySuite] | undefined => {
    if (target?.suite !== undefined) {
      const suite = context.suites[target.suite];
      return suite === undefined ? undefined : [target.suite, suite];
    }
    const prefix = parseCaseId(result.id)?.prefix;
    return prefix === undefined ? undefined : byPrefix.get(prefix);
  };

  // Per target: the recorded run-level checks, and every case as the checks read it (recomputed).
  const perTarget = new Map<
    string,
    { checks: CaseResult[]; cases: RecordedCase[]; suite: [string, AnySuite] | null }
  >();
  const entry = (name: string) => {
    let e = perTarget.get(name);
    if (e === undefined) perTarget.set(name, (e = { checks: [], cases: [], suite: null }));
    return e;
  };

  // Yield now and then: a large bundle is re-judged without starving the event loop (a progress line).
  let sinceYield = 0;
  for (const result of results) {
    if (++sinceYield >= 500) {
      sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    const target = context.targets[result.target];
    const e = entry(result.target);
    if (result.runLevel === true) {
      e.checks.push(result);
      continue;
    }
    const recordedCase: RecordedCase = {
      id: result.id,
      verdict: result.verdict,
      choices: result.choices,
      ...(result.evidence === undefined ? {} : { evidence: result.evidence }),
    };
    const skip = (reason: string) => {
      report.skipped.push({ id: result.id, target: result.target, reason });
      e.cases.push(recordedCase);
    };
    if (target === undefined) {
      skip(`the target ${result.target} is not among the run's targets (run.json): what it told is not known`);
      continue;
    }
    const found = suiteOf(result, target);
    if (found === undefined) {
      skip(`no suite of this harness runs the case ${result.id}`);
      continue;
    }
    e.suite ??= found;
    const [suiteName, suite] = found;
    const plannedCase = plannedOf(suite).get(result.id);
    if (plannedCase === undefined) {
      skip(
        `not a case of the ${suiteName} suite's plan (a fuzz finding or a case of other vectors): its observations are not recorded for re-judging`,
      );
      continue;
    }
    // Not applicable for want of a capability is the runner's decision, from what run.json recorded the
    // target offers: recomputed here. A suite's own (a Swivel vector for targets without a clock) is its
    // judgement, recomputed from its observations below.
    const missing = plannedCase.needs.filter((n) => !target.info.capabilities.includes(n));
    if (missing.length > 0 || (result.verdict === 'not-applicable' && result.observations === undefined)) {
      report.checked++;
      if (missing.length === 0 || result.verdict !== 'not-applicable') {
        report.discrepancies.push({
          id: result.id,
          target: result.target,
          field: 'verdict',
          recorded: result.verdict,
          recomputed:
            missing.length > 0
              ? 'not-applicable'
              : 'a judgement (the target has every capability the case needs, and nothing was observed)',
        });
      }
      e.cases.push(recordedCase);
      continue;
    }
    if (result.verdict === 'broken' && result.observations === undefined) {
      skip('broken: the target gave no observation to judge (the case did not complete)');
      continue;
    }
    if (suite.rejudge === undefined) {
      skip(`the ${suiteName} suite cannot judge a recorded case again`);
      continue;
    }
    const rejudgeTarget: RejudgeTarget = {
      name: result.target,
      info: target.info,
      precedence: target.precedence ?? null,
      ...(target.everyChoice === true ? { everyChoice: true } : {}),
    };
    const judged = await suite.rejudge(result, rejudgeTarget);
    if ('skipped' in judged) {
      skip(judged.skipped);
      continue;
    }
    // As the run made the message safe to report (src/runner/run.ts `cleanResult`).
    const message = escapeControls(stripAnsi(context.redactor?.text(judged.message) ?? judged.message));
    const clean = { ...judged, message };
    const recomputed = context.apply === undefined ? clean : context.apply(result, clean);
    report.checked++;
    compare(report.discrepancies, result, recomputed);
    e.cases.push({
      id: result.id,
      verdict: recomputed.verdict,
      choices: recomputed.choices,
      ...(recomputed.evidence === undefined ? {} : { evidence: recomputed.evidence }),
    });
  }

  for (const [name, e] of perTarget) {
    if (e.checks.length === 0) continue;
    const target = context.targets[name];
    const found = e.suite ?? (e.checks[0] === undefined ? undefined : suiteOf(e.checks[0], target));
    const skipAll = (reason: string) => {
      for (const c of e.checks) report.skipped.push({ id: c.id, target: name, reason });
    };
    if (target === undefined) {
      skipAll(`the target ${name} is not among the run's targets (run.json): what it told is not known`);
      continue;
    }
    if (found === undefined || found[1].runChecks === undefined) {
      skipAll('no suite of this harness computes these run-level checks');
      continue;
    }
    const order = target.order ?? [];
    const index = new Map(order.map((id, i) => [id, i]));
    const ordered = [...e.cases].sort((a, b) => (index.get(a.id) ?? Infinity) - (index.get(b.id) ?? Infinity));
    const recomputed = found[1].runChecks({ target: name, info: target.info, replay: '' }, ordered);
    const byId = new Map(recomputed.map((c) => [c.id, c]));
    for (const check of e.checks) {
      report.checked++;
      const again = byId.get(check.id);
      byId.delete(check.id);
      if (again === undefined) {
        report.discrepancies.push({
          id: check.id,
          target: name,
          field: 'result',
          recorded: check.verdict,
          recomputed: null,
        });
        continue;
      }
      // What decided the check's verdict after the suite computed it (the ICS), as for a case.
      compare(report.discrepancies, check, context.apply === undefined ? again : context.apply(check, again));
    }
    for (const extra of byId.values()) {
      report.discrepancies.push({
        id: extra.id,
        target: name,
        field: 'result',
        recorded: null,
        recomputed: extra.verdict,
      });
    }
  }
  return report;
}
