/**
 * The certificate page: one self-contained HTML file in a certification bundle (the `certify` command), read by a
 * reviewer from disk (file://), with no server, no script and nothing fetched. It says what was tested (the
 * implementation's identity, declared and observed), with what (the harness and its environment), whether
 * the bundle is certifiable and every reason why not, then every requirement of every suite of the run
 * with its level and what the cases that test it found, the choices declared and observed, the known
 * deviations, and the fingerprint of the key that signed the bundle.
 *
 * Only a result's id, title, target, verdict, message, requirements, choices and expectation are shown:
 * never its parameters, expected or observed values, steps or attachments (the results are redacted
 * already; the page adds no raw field).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { escapeHtml as escape } from '../core/html.ts';
import { isBad, type CaseResult, type Verdict } from '../core/results.ts';
import type { ChoicePointInfo, RequirementInfo } from '../core/suite.ts';
import { keyFingerprint } from '../core/signing.ts';
import { VERDICT_ORDER, worstVerdict } from '../core/verdict.ts';

export interface CertificateInput {
  /** The implementation tested, one entry per target of the run. */
  targets: CertificateTarget[];
  /** Where and with what it was tested. */
  environment: CertificateEnvironment;
  /** ISO times: the run's start and end. */
  startedAt: string;
  endedAt: string;
  /** Certifiable or not, and every reason why not. */
  result: CertificateResult;
  /** Every result of the run (already redacted, as results.jsonl holds them). */
  results: readonly CaseResult[];
  /** Every suite of the run, with its catalogue (`Suite.catalogue()`). */
  suites: CertificateSuite[];
  /**
   * The implementation conformance statements: the one given to `certify` (`declared`, null when none was)
   * and the one the run showed (`observed`, null when none was written). `Ics` of src/core/ics.ts fits.
   */
  ics: { declared: CertificateIcs | null; observed: CertificateIcs | null };
  /** The expectations file the run was judged with (known deviations: `CaseResult.expectation`), or null. */
  expectationsFile: string | null;
  /** The key the bundle's manifest is signed with, or null when the bundle is not signed. */
  signingKey: CertificateKey | null;
  /** The fuzzing beside the plan; absent: none was asked for. */
  fuzz?: CertificateFuzz;
}

/** One target: the implementation as the ICS declares it and as the run observed it. */
export interface CertificateTarget {
  /** The target's name in the configuration. */
  name: string;
  /** Its suite's registry name (`openmobile`, `swivel`). */
  suite: string;
  /** The driver that reached it (`http`, `appium`, `emulated-ios`). */
  driver?: string;
  /** What the ICS declares (absent: no ICS given, or it does not name this suite). */
  declared?: { product: string; version: string; build?: string; packageId?: string };
  /**
   * What was read from the implementation itself, label -> value, in the order to show them: the adapter's
   * `/v1/info` (name, version), a device's model, OS version, app version and build, a server's banner.
   */
  observed: Record<string, string>;
  /** Where `observed` was read (`adapter /v1/info`, `Appium device`, `server banner`). */
  observedFrom?: string;
}

export interface CertificateEnvironment {
  harnessVersion: string;
  /** The harness's git commit (a checkout), or null. */
  harnessCommit: string | null;
  /** The installed package's digest (no checkout), or null. */
  packageDigest: string | null;
  node: string;
  os: string;
  /** Versions of what the run used, when it used them. */
  appium?: string;
  chromium?: string;
  /** Anything else worth showing, label -> value (the seed, the config file, the fuzz budget). */
  other?: Record<string, string>;
}

/** Why a bundle is not certifiable. */
export type NotCertifiableKind =
  'seeded-defects' | 'lenient-option' | 'grep' | 'incomplete-shards' | 'interrupted' | 'other';

export interface NotCertifiableReason {
  kind: NotCertifiableKind;
  /** One sentence for a reader: `target emulated-android has seeded defects switched on`. */
  message: string;
  /** The target it concerns, if one. */
  target?: string;
  /** The particulars: the defects switched on, the lenient options, the pattern, the missing shards. */
  items?: string[];
}

export interface CertificateResult {
  /**
   * Whether the implementation passed: `pass` when the run's fail-on policy counted nothing (no unexpected
   * failed or broken case) and fuzzing found nothing. Absent: derived from the results alone (a failed or
   * broken case that no expectations entry allowed makes it `fail`).
   */
  outcome?: 'pass' | 'fail';
  /** Whether the bundle may serve as a certification: a separate question from `outcome`. */
  certifiable: boolean;
  /** Every reason the bundle is not certifiable; empty when it is. */
  reasons: NotCertifiableReason[];
}

/** The fuzzing `certify` did beside the plan (`--fuzz-time`). */
export interface CertificateFuzz {
  /** The budget, in ms; 0 when there was no fuzzing. */
  budgetMs: number;
  /** The targets fuzzed. */
  targets: string[];
  /** `nothing-found`; `failures` (each kept and shrunk in the bundle); `not-run` (`note` says why). */
  outcome: 'nothing-found' | 'failures' | 'not-run';
  /** One line more: why it did not run, where the failures are. */
  note?: string;
}

/** A suite of the run and its catalogue. */
export interface CertificateSuite {
  /** Registry name (`swivel`). */
  name: string;
  /** The specification's title. */
  specification: string;
  requirements: readonly RequirementInfo[];
  choicePoints: readonly ChoicePointInfo[];
}

/** What the page reads of an ICS: per suite, the option declared for each choice point, and the order of checks. */
export interface CertificateIcs {
  suites: Record<string, { choices: Record<string, string>; precedence?: readonly string[] }>;
}

export interface CertificateKey {
  /** SHA-256 of the public key's DER (SPKI), hex, grouped: {@link publicKeyFingerprint}. */
  fingerprint: string;
  /** `Ed25519`. */
  algorithm: string;
}

/**
 * The fingerprint a reviewer compares with the vendor's published one: SHA-256 of the public key's DER
 * (SubjectPublicKeyInfo), lower-case hex in groups of four (`3f2a 9c01 ...`). Takes a public key, a PEM of
 * one, or a private key (whose public half is fingerprinted).
 */
export function publicKeyFingerprint(key: KeyObject | string): string {
  const publicKey = typeof key === 'string' || key.type !== 'public' ? createPublicKey(key) : key;
  return keyFingerprint(publicKey).replace(/(.{4})(?!$)/g, '$1 ');
}

const VERDICT_TEXT: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  'non-strict': 'non-strict',
  informational: 'informational',
  'not-applicable': 'not applicable',
  broken: 'broken',
};

/** The verdicts a reader must look at: the case did not pass. */
const NOT_PASSING: ReadonlySet<Verdict> = new Set(['fail', 'broken', 'non-strict']);

/** How many non-passing case ids a requirement's row shows before the rest go into its collapsed details. */
const SHOWN_NOT_PASSING = 8;

/** Where a case's row is: one anchor per target and case id. */
export function caseAnchor(target: string, caseId: string): string {
  return `case:${target}:${caseId}`;
}

/** A link to an element id: percent-encoded, but for `:` and `@`, which a fragment may hold as they are. */
function href(anchor: string): string {
  return `#${encodeURIComponent(anchor).replace(/%3A/gi, ':').replace(/%40/gi, '@')}`;
}

function caseLink(result: Pick<CaseResult, 'target' | 'id'>, showTarget: boolean): string {
  const text = showTarget ? `${result.target}: ${result.id}` : result.id;
  return `<a href="${escape(href(caseAnchor(result.target, result.id)))}"><code>${escape(text)}</code></a>`;
}

function verdictBadge(verdict: Verdict): string {
  return `<span class="v v-${verdict}">${escape(VERDICT_TEXT[verdict])}</span>`;
}

/** What one requirement's cases found. */
interface RequirementTally {
  counts: Record<Verdict | 'not-checkable', number>;
  cases: { result: CaseResult; verdict: Verdict | 'not-checkable' }[];
}

function tallyRequirements(results: readonly CaseResult[]): Map<string, RequirementTally> {
  const tallies = new Map<string, RequirementTally>();
  for (const result of results) {
    const notCheckable = new Set((result.notCheckable ?? []).map((n) => n.requirement));
    for (const requirement of new Set(result.requirements)) {
      let tally = tallies.get(requirement);
      if (tally === undefined) {
        tally = {
          counts: {
            pass: 0,
            fail: 0,
            'non-strict': 0,
            informational: 0,
            'not-applicable': 0,
            broken: 0,
            'not-checkable': 0,
          },
          cases: [],
        };
        tallies.set(requirement, tally);
      }
      // A requirement the case could not check on this target is never counted as checked, whatever the verdict.
      const verdict = notCheckable.has(requirement) ? 'not-checkable' : result.verdict;
      tally.counts[verdict]++;
      tally.cases.push({ result, verdict });
    }
  }
  return tallies;
}

/** The requirement's status in one word: the worst verdict of its cases, or why there is none. */
function requirementStatus(tally: RequirementTally | undefined): { text: string; className: string } {
  if (tally === undefined || tally.cases.length === 0) return { text: 'not tested', className: 'v-not-tested' };
  const judged = tally.cases.flatMap((c) => (c.verdict === 'not-checkable' ? [] : [c.verdict]));
  if (judged.length === 0) return { text: 'not checkable', className: 'v-not-tested' };
  const worst = worstVerdict(judged);
  return { text: VERDICT_TEXT[worst], className: `v-${worst}` };
}

const COUNT_COLUMNS: readonly (Verdict | 'not-checkable')[] = [...VERDICT_ORDER, 'not-checkable'];

function countsCell(tally: RequirementTally | undefined): string {
  if (tally === undefined) return '<td class="counts">0 cases</td>';
  const parts = COUNT_COLUMNS.filter((v) => tally.counts[v] > 0).map(
    (v) =>
      `<span class="c c-${v}" data-verdict="${v}">${tally.counts[v]} ${escape(v === 'not-checkable' ? 'not checkable' : VERDICT_TEXT[v])}</span>`,
  );
  return `<td class="counts">${parts.join(' ')}</td>`;
}

function casesCell(tally: RequirementTally | undefined, showTarget: boolean): string {
  if (tally === undefined) return '<td class="cases">no case tests it</td>';
  const notPassing = tally.cases.filter((c) => c.verdict !== 'not-checkable' && NOT_PASSING.has(c.verdict));
  const shown = notPassing
    .slice(0, SHOWN_NOT_PASSING)
    .map(
      (c) => `<li>${verdictBadge(c.result.verdict)} ${caseLink(c.result, showTarget)}${deviationMark(c.result)}</li>`,
    )
    .join('');
  const more =
    notPassing.length > SHOWN_NOT_PASSING
      ? `<li>and ${notPassing.length - SHOWN_NOT_PASSING} more not passing (in the list below)</li>`
      : '';
  const list = shown === '' ? '' : `<ul class="failing">${shown}${more}</ul>`;
  // Every case, grouped by verdict (worst first) and target, so a link is only its id: a requirement of a
  // 3,400-case plan lists a thousand of them.
  const groups = new Map<string, { verdict: Verdict | 'not-checkable'; target: string; results: CaseResult[] }>();
  for (const verdict of COUNT_COLUMNS)
    for (const c of tally.cases) {
      if (c.verdict !== verdict) continue;
      const key = `${verdict}\n${c.result.target}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { verdict, target: c.result.target, results: [c.result] });
      else group.results.push(c.result);
    }
  const all = [...groups.values()]
    .map(
      (g) =>
        `<p>${g.verdict === 'not-checkable' ? '<span class="v v-not-tested">not checkable</span>' : verdictBadge(g.verdict)}` +
        `${showTarget ? ` ${escape(g.target)}` : ''} (${g.results.length}): ` +
        g.results.map((r) => `<a href="${escape(href(caseAnchor(r.target, r.id)))}">${escape(r.id)}</a>`).join(', ') +
        '</p>',
    )
    .join('');
  return `<td class="cases">${list}<details><summary>${tally.cases.length} case${tally.cases.length === 1 ? '' : 's'}</summary><div class="all">${all}</div></details></td>`;
}

function deviationMark(result: CaseResult): string {
  const status = result.expectation?.status;
  return status === 'expected' || status === 'changed'
    ? ` <span class="known" title="${escape(result.expectation?.reason ?? '')}">known deviation</span>`
    : '';
}

function requirementsSection(input: CertificateInput): string {
  const tallies = tallyRequirements(input.results);
  const showTarget = new Set(input.results.map((r) => r.target)).size > 1;
  const known = new Set(input.suites.flatMap((s) => s.requirements.map((r) => r.id)));
  const suites = input.suites.map((suite) => {
    const rows = suite.requirements
      .map((r) => {
        const tally = tallies.get(r.id);
        const status = requirementStatus(tally);
        return (
          `<tr id="${escape(r.id)}" class="req row-${status.className}">` +
          `<td><a href="${escape(href(r.id))}"><code>${escape(r.id)}</code></a></td>` +
          `<td class="level">${escape(r.severity)}</td>` +
          `<td>${escape(r.title)}<details class="quote"><summary>the specification's words</summary><blockquote>${escape(r.quote)}</blockquote><small>${escape(r.source)}</small></details></td>` +
          `<td class="status"><span class="v ${status.className}">${escape(status.text)}</span></td>` +
          countsCell(tally) +
          casesCell(tally, showTarget) +
          '</tr>'
        );
      })
      .join('\n');
    const tested = suite.requirements.filter((r) => tallies.has(r.id)).length;
    return `<section class="suite" id="suite-${escape(suite.name)}">
<h3>${escape(suite.specification)} <small>(${escape(suite.name)}: ${suite.requirements.length} requirements, ${tested} tested)</small></h3>
<table class="requirements" data-suite="${escape(suite.name)}"><thead><tr><th>ID</th><th>Level</th><th>Requirement</th><th>Result</th><th>Cases by verdict</th><th>Cases</th></tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
  });
  // A result naming a requirement no suite of the run has would otherwise vanish from the page.
  const unknown = [...tallies.keys()].filter((id) => !known.has(id)).sort();
  const stray =
    unknown.length === 0
      ? ''
      : `<p class="warning">Results name requirements no suite of the run lists: ${unknown.map((id) => `<code id="${escape(id)}">${escape(id)}</code>`).join(', ')}.</p>`;
  return `<section id="requirements">
<h2>Requirements</h2>
<p>Every requirement of every suite in the run, with the cases that test it. A requirement no case tested is shown as <em>not tested</em>; one a case could not check on its target (a password too short to tell from log text) is counted as <em>not checkable</em>, never as passed.</p>
${suites.join('\n')}
${stray}
</section>`;
}

function choicesSection(input: CertificateInput): string {
  const { declared, observed } = input.ics;
  const seen = seenChoices(input.results);
  const rows: string[] = [];
  for (const suite of input.suites) {
    const suiteDeclared = declared?.suites[suite.name];
    const suiteObserved = observed?.suites[suite.name];
    for (const point of suite.choicePoints) {
      const declaredOption = suiteDeclared?.choices[point.id];
      const observedOption = suiteObserved?.choices[point.id];
      const inCases = seen.get(point.id) ?? new Map<string, Map<string, number>>();
      const casesText = [...inCases]
        .map(
          ([target, options]) =>
            `${escape(target)}: ${[...options].map(([option, n]) => `<code>${escape(option)}</code> (${n})`).join(', ')}`,
        )
        .join('<br>');
      const shownOptions = new Set<string>([
        ...(observedOption === undefined ? [] : [observedOption]),
        ...[...inCases.values()].flatMap((options) => [...options.keys()]),
      ]);
      const mismatch = declaredOption !== undefined && [...shownOptions].some((o) => o !== declaredOption);
      rows.push(
        `<tr id="${escape(point.id)}" class="choice${mismatch ? ' mismatch' : ''}">` +
          `<td><code>${escape(point.id)}</code></td>` +
          `<td>${escape(point.title)}</td>` +
          `<td>${point.options.map((o) => `<code>${escape(o)}</code>`).join(', ')}</td>` +
          `<td>${declaredOption === undefined ? '<em>not declared</em>' : `<code>${escape(declaredOption)}</code>`}</td>` +
          `<td>${observedOption === undefined ? '<em>not shown</em>' : `<code>${escape(observedOption)}</code>`}</td>` +
          `<td>${casesText === '' ? '<em>no case reached it</em>' : casesText}</td>` +
          `<td>${mismatch ? '<strong class="mismatch-label">mismatch</strong>' : declaredOption === undefined ? '' : 'as declared'}</td>` +
          '</tr>',
      );
    }
    const declaredOrder = suiteDeclared?.precedence;
    const observedOrder = suiteObserved?.precedence;
    if (declaredOrder !== undefined || observedOrder !== undefined) {
      const mismatch =
        declaredOrder !== undefined &&
        observedOrder !== undefined &&
        declaredOrder.join('\n') !== observedOrder.join('\n');
      const order = (o: readonly string[] | undefined, none: string) =>
        o === undefined ? `<em>${none}</em>` : o.map((x) => `<code>${escape(x)}</code>`).join(' &gt; ');
      rows.push(
        `<tr id="precedence-${escape(suite.name)}" class="choice${mismatch ? ' mismatch' : ''}">` +
          `<td><code>precedence</code></td><td>${escape(suite.specification)}: the order of checks</td><td></td>` +
          `<td>${order(declaredOrder, 'not declared')}</td><td>${order(observedOrder, 'not shown')}</td><td></td>` +
          `<td>${mismatch ? '<strong class="mismatch-label">mismatch</strong>' : declaredOrder === undefined ? '' : 'as declared'}</td></tr>`,
      );
    }
  }
  const note =
    declared === null
      ? '<p>No conformance statement was given: the observed column is what the implementation did (the bundle holds it as an ICS to start from).</p>'
      : '<p>With a conformance statement, a declared option is a requirement: a case that showed another fails, naming the declaration.</p>';
  return `<section id="choices">
<h2>Implementation-defined choices</h2>
${note}
${
  rows.length === 0
    ? '<p>The suites of the run have no implementation-defined choice points.</p>'
    : `<table class="choices"><thead><tr><th>Choice point</th><th>What</th><th>Permitted</th><th>Declared</th><th>Observed</th><th>Seen in cases (target: option (cases))</th><th></th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`
}
</section>`;
}

/** Choice point -> target -> option -> how many cases showed it. */
function seenChoices(results: readonly CaseResult[]): Map<string, Map<string, Map<string, number>>> {
  const seen = new Map<string, Map<string, Map<string, number>>>();
  for (const result of results) {
    if (result.runLevel === true) continue;
    for (const [point, option] of Object.entries(result.choices)) {
      let targets = seen.get(point);
      if (targets === undefined) seen.set(point, (targets = new Map()));
      let options = targets.get(result.target);
      if (options === undefined) targets.set(result.target, (options = new Map()));
      options.set(option, (options.get(option) ?? 0) + 1);
    }
  }
  return seen;
}

function deviationsSection(input: CertificateInput): string {
  const judged = input.results.filter((r) => r.expectation !== undefined);
  if (input.expectationsFile === null && judged.length === 0)
    return `<section id="deviations"><h2>Known deviations</h2><p>None: the run was judged without an expectations file.</p></section>`;
  const rows = judged
    .map((r) => {
      const e = r.expectation!;
      const link =
        e.link !== undefined && /^https?:\/\//i.test(e.link)
          ? ` <a href="${escape(e.link)}">${escape(e.link)}</a>`
          : e.link === undefined
            ? ''
            : ` ${escape(e.link)}`;
      return (
        `<tr class="deviation ${escape(e.status)}"><td>${caseLink(r, true)}</td><td>${verdictBadge(r.verdict)}</td>` +
        `<td>${escape(e.status)}${e.failsRun ? ' (fails the run)' : ''}</td><td>${e.allowed.map((a) => escape(a)).join(', ')}</td>` +
        `<td>${escape(e.reason)}${link}<br><small>${escape(e.where)}</small></td></tr>`
      );
    })
    .join('\n');
  return `<section id="deviations">
<h2>Known deviations</h2>
<p>Judged with the expectations file <code>${escape(input.expectationsFile ?? '(not named)')}</code>: ${judged.length} case${judged.length === 1 ? '' : 's'} matched an entry.</p>
${
  judged.length === 0
    ? ''
    : `<table class="deviations"><thead><tr><th>Case</th><th>Verdict</th><th>Entry's decision</th><th>Allowed</th><th>Reason</th></tr></thead><tbody>
${rows}
</tbody></table>`
}
</section>`;
}

function casesSection(input: CertificateInput): string {
  const byTarget = new Map<string, CaseResult[]>();
  for (const r of input.results) {
    const list = byTarget.get(r.target);
    if (list === undefined) byTarget.set(r.target, [r]);
    else list.push(r);
  }
  const parts = [...byTarget].map(([target, results]) => {
    const rows = results
      .map(
        (r) =>
          `<tr id="${escape(caseAnchor(r.target, r.id))}" class="case row-v-${r.verdict}"><td><code>${escape(r.id)}</code></td>` +
          `<td>${verdictBadge(r.verdict)}${r.flaky === true ? ' <span class="known">flaky</span>' : ''}${r.runLevel === true ? ' <span class="known">run-level check</span>' : ''}${deviationMark(r)}</td>` +
          `<td>${escape(r.title)}<br><small>${escape(r.message)}</small></td>` +
          `<td>${r.requirements.map((id) => `<a href="${escape(href(id))}">${escape(id)}</a>`).join(' ')}</td></tr>`,
      )
      .join('\n');
    const counts = countVerdicts(results);
    return `<details class="target-cases" id="cases-${escape(target)}"><summary>${escape(target)}: ${results.length} results (${counts})</summary>
<table class="cases"><thead><tr><th>Case</th><th>Verdict</th><th>Title and message</th><th>Requirements</th></tr></thead><tbody>
${rows}
</tbody></table></details>`;
  });
  return `<section id="cases">
<h2>Cases</h2>
${parts.length === 0 ? '<p>The run has no results.</p>' : parts.join('\n')}
</section>`;
}

function countVerdicts(results: readonly CaseResult[]): string {
  const counts = new Map<Verdict, number>();
  for (const r of results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return VERDICT_ORDER.filter((v) => (counts.get(v) ?? 0) > 0)
    .map((v) => `${counts.get(v) ?? 0} ${VERDICT_TEXT[v]}`)
    .join(', ');
}

function header(input: CertificateInput): string {
  const { result, environment: env } = input;
  const passed = (result.outcome ?? derivedOutcome(input.results)) === 'pass';
  const outcome = passed
    ? '<p class="result passed" id="outcome">Passed</p>'
    : '<p class="result failed" id="outcome">Failed</p>';
  const certifiable = result.certifiable
    ? '<p class="result certifiable" id="certifiable">Certifiable</p>'
    : '<p class="result not-certifiable" id="certifiable">Not certifiable</p>';
  const reasons =
    result.reasons.length === 0
      ? ''
      : `<p class="why">Why the bundle is not certifiable:</p><ul class="reasons" id="reasons">${result.reasons
          .map(
            (r) =>
              `<li class="reason reason-${escape(r.kind)}">${escape(r.message)}` +
              (r.items === undefined || r.items.length === 0
                ? ''
                : `<ul>${r.items.map((i) => `<li><code>${escape(i)}</code></li>`).join('')}</ul>`) +
              '</li>',
          )
          .join('')}</ul>`;
  const targets = input.targets
    .map((t) => {
      const declared =
        t.declared === undefined
          ? '<em>not declared</em>'
          : [
              `${escape(t.declared.product)} ${escape(t.declared.version)}`,
              t.declared.build === undefined ? '' : `build ${escape(t.declared.build)}`,
              t.declared.packageId === undefined ? '' : `<code>${escape(t.declared.packageId)}</code>`,
            ]
              .filter(Boolean)
              .join('<br>');
      const observedEntries = Object.entries(t.observed);
      const observed =
        observedEntries.length === 0
          ? '<em>nothing read</em>'
          : `<dl>${observedEntries.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>` +
            (t.observedFrom === undefined ? '' : `<small>read from ${escape(t.observedFrom)}</small>`);
      const suite = input.suites.find((s) => s.name === t.suite);
      return (
        `<tr id="target-${escape(t.name)}" class="target"><td><code>${escape(t.name)}</code>${t.driver === undefined ? '' : `<br><small>driver ${escape(t.driver)}</small>`}</td>` +
        `<td>${escape(suite?.specification ?? t.suite)}</td><td>${declared}</td><td>${observed}</td>` +
        `<td>${countVerdicts(input.results.filter((r) => r.target === t.name)) || '<em>no results</em>'}</td></tr>`
      );
    })
    .join('\n');
  const environment: [string, string][] = [
    ['Harness', env.harnessVersion],
    ...(env.harnessCommit === null ? [] : ([['Harness commit', env.harnessCommit]] as [string, string][])),
    ...(env.packageDigest === null ? [] : ([['Package digest', env.packageDigest]] as [string, string][])),
    ['Node.js', env.node],
    ['Operating system', env.os],
    ...(env.appium === undefined ? [] : ([['Appium', env.appium]] as [string, string][])),
    ...(env.chromium === undefined ? [] : ([['Chromium', env.chromium]] as [string, string][])),
    ...Object.entries(env.other ?? {}),
    ['Started', input.startedAt],
    ['Ended', input.endedAt],
  ];
  return `<header>
<h1>Conformance certificate</h1>
<p class="subtitle">${input.suites.map((s) => escape(s.specification)).join('; ')}</p>
<div class="results">${outcome}
${certifiable}</div>
${reasons}
<p class="totals">${input.results.length} result${input.results.length === 1 ? '' : 's'}: ${countVerdicts(input.results) || 'none'}${knownDeviations(input.results)}</p>
${fuzzLine(input.fuzz)}
<nav><a href="#identity">Implementation</a> · <a href="#environment">Environment</a> · <a href="#requirements">Requirements</a> · <a href="#choices">Choices</a> · <a href="#deviations">Known deviations</a> · <a href="#signature">Signature</a> · <a href="#cases">Cases</a></nav>
</header>
<section id="identity">
<h2>Implementation</h2>
<table class="targets"><thead><tr><th>Target</th><th>Specification</th><th>Declared (conformance statement)</th><th>Observed</th><th>Results</th></tr></thead><tbody>
${targets}
</tbody></table>
</section>
<section id="environment">
<h2>Environment</h2>
<dl class="environment">${environment.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>
</section>`;
}

/** Pass unless a case failed or broke and no expectations entry allowed it (the default fail-on policy). */
function derivedOutcome(results: readonly CaseResult[]): 'pass' | 'fail' {
  const failing = results.some((r) => (r.expectation === undefined ? isBad(r.verdict) : r.expectation.failsRun));
  return failing ? 'fail' : 'pass';
}

function knownDeviations(results: readonly CaseResult[]): string {
  const n = results.filter((r) => r.expectation?.status === 'expected' || r.expectation?.status === 'changed').length;
  return n === 0 ? '' : ` (${n} known deviation${n === 1 ? '' : 's'}, <a href="#deviations">below</a>)`;
}

function fuzzLine(fuzz: CertificateFuzz | undefined): string {
  if (fuzz === undefined) return '';
  const budget = `${Math.round(fuzz.budgetMs / 1000)} s`;
  const targets = fuzz.targets.map((t) => escape(t)).join(', ');
  const what =
    fuzz.outcome === 'not-run'
      ? 'Fuzzing: not run'
      : `Fuzzing (${budget}${targets === '' ? '' : ` on ${targets}`}): ${fuzz.outcome === 'failures' ? '<strong>found failures</strong>' : 'found nothing'}`;
  return `<p class="fuzz" id="fuzz">${what}${fuzz.note === undefined ? '' : `; ${escape(fuzz.note)}`}</p>`;
}

function signatureSection(input: CertificateInput): string {
  const key = input.signingKey;
  return `<section id="signature">
<h2>Signature</h2>
${
  key === null
    ? '<p>The bundle is not signed.</p>'
    : `<p>The bundle's manifest (the SHA-256 of every file, this page included) is signed with ${escape(key.algorithm)}. Key fingerprint (SHA-256 of the public key's DER):</p>
<p class="fingerprint"><code>${escape(key.fingerprint)}</code></p>`
}
<p>A reviewer compares it with the fingerprint the vendor published, and checks the bundle with the harness's <code>verify</code> command given the vendor's public key: it checks the signature and every file's digest, and re-judges every recorded observation.</p>
</section>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:.2rem}.subtitle{color:#555;margin-top:0}
.result{font-size:1.6rem;font-weight:bold;padding:.5rem 1rem;border-radius:.3rem;display:inline-block}
.certifiable{background:#e3f5e1;color:#14591a;border:2px solid #2e8b3a}
.not-certifiable{background:#fde8e8;color:#8a1010;border:2px solid #c62828}
.passed{background:#e3f5e1;color:#14591a;border:2px solid #2e8b3a}.failed{background:#fde8e8;color:#8a1010;border:2px solid #c62828}
.results{display:flex;gap:1rem;flex-wrap:wrap}
.reasons li{margin:.2rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}
dl.environment{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.environment dt{font-weight:bold}dl.environment dd{margin:0;font-family:monospace}
.targets dl{margin:0}.targets dt{font-weight:bold;font-size:.85rem}.targets dd{margin:0 0 .2rem}
.v{display:inline-block;padding:0 .35rem;border-radius:.2rem;font-size:.85rem;white-space:nowrap}
.v-pass{background:#e3f5e1}.v-fail{background:#fbd5d5;font-weight:bold}.v-broken{background:#f6d0f0;font-weight:bold}
.v-non-strict{background:#fff1c2}.v-informational{background:#dcecff}.v-not-applicable,.v-not-tested{background:#eee;color:#555}
.counts .c{white-space:nowrap;margin-right:.4rem}
.cases ul{margin:.2rem 0;padding-left:1.1rem}.cases div.all{max-height:24rem;overflow:auto;font-family:monospace}.cases div.all p{margin:.2rem 0}
.known{font-size:.8rem;background:#eee;padding:0 .3rem;border-radius:.2rem}
blockquote{margin:.3rem 0 .3rem 1rem;color:#444}
details.quote summary{font-size:.8rem;color:#555;cursor:pointer}
tr.mismatch{background:#fde8e8}.mismatch-label{color:#8a1010}
tr[id]{scroll-margin-top:3rem}tr:target{outline:3px solid #f0b400}
tr.row-v-fail>td:first-child,tr.row-v-broken>td:first-child{border-left:5px solid #c62828}
tr.row-v-non-strict>td:first-child{border-left:5px solid #e0a800}
tr.row-v-not-tested>td:first-child{border-left:5px solid #bbb}
table.requirements td:nth-child(1){width:13%}table.requirements td:nth-child(3){width:32%}
table.requirements td.cases{width:30%;font-size:.85rem}
.fingerprint code{font-size:1.1rem}
.warning{background:#fff1c2;padding:.5rem}
@media print{th{position:static}}`;

/**
 * The certificate page: one HTML file that renders from file:// with no script and nothing fetched (its
 * Content-Security-Policy forbids both), every text escaped.
 */
export function certificatePage(input: CertificateInput): string {
  const products = input.targets
    .map((t) => (t.declared === undefined ? t.name : `${t.declared.product} ${t.declared.version}`))
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Conformance certificate: ${escape(products)}</title>
<style>${STYLE}</style></head><body>
${header(input)}
${requirementsSection(input)}
${choicesSection(input)}
${deviationsSection(input)}
${signatureSection(input)}
${casesSection(input)}
</body></html>
`;
}
