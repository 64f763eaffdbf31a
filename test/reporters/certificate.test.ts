import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSuites } from '../../src/cli/builtins.ts';
import type { CaseResult } from '../../src/core/results.ts';
import {
  caseAnchor,
  certificatePage,
  publicKeyFingerprint,
  type CertificateInput,
  type CertificateSuite,
} from '../../src/reporters/certificate.ts';
import { makeCase } from './fixtures.ts';

const SUITE: CertificateSuite = {
  name: 'openmobile',
  specification: 'Open Mobile Provisioning API 3.2',
  requirements: [
    {
      id: 'OM-ACT-ACTIVATE',
      title: 'activate works',
      severity: 'MUST',
      quote: 'The client MUST activate.',
      source: '§3',
    },
    { id: 'OM-CODE-0-SUCCESS', title: 'code 0', severity: 'MUST', quote: 'Result 0 means success.', source: '§4' },
    { id: 'OM-SOFT-HINT', title: 'a hint', severity: 'SHOULD', quote: 'The client SHOULD hint.', source: '§5' },
    { id: 'OM-LOG-NO-PASSWORD', title: 'no password in logs', severity: 'MUST', quote: 'Never log it.', source: '§6' },
  ],
  choicePoints: [
    { id: 'OM-CHOICE-HOST-CASE', title: 'host case', options: ['handled', 'not-handled'], reading: 'either' },
    { id: 'OM-CHOICE-OTHER', title: 'another', options: ['a', 'b'], reading: 'either' },
  ],
};

function input(overrides: Partial<CertificateInput> = {}): CertificateInput {
  return {
    targets: [
      {
        name: 'emulated-ios',
        suite: 'openmobile',
        driver: 'emulated',
        declared: { product: 'Acme Provisioner', version: '3.2.0', build: '1042', packageId: 'com.acme.prov' },
        observed: { name: 'emulated-ios', version: '3.2.0' },
        observedFrom: 'adapter /v1/info',
      },
    ],
    environment: {
      harnessVersion: '0.1.0',
      harnessCommit: '7642e7d0123456789abcdef0123456789abcdef0',
      packageDigest: null,
      node: 'v20.19.0',
      os: 'linux 6.1 x64',
      chromium: '150.0.7871.100',
    },
    startedAt: '2026-12-07T03:00:00.000Z',
    endedAt: '2026-12-07T03:05:00.000Z',
    result: { certifiable: true, reasons: [] },
    results: [],
    suites: [SUITE],
    ics: { declared: null, observed: null },
    expectationsFile: null,
    signingKey: null,
    ...overrides,
  };
}

/** The HTML of the element `<tag id="id" ...>...</tag>` (tables here do not nest rows). */
function row(page: string, id: string): string {
  const start = page.indexOf(`<tr id="${id}"`);
  expect(start, `row ${id}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</tr>', start) + 5);
}

/** Entities decoded as a browser decodes them (the five escapeHtml writes). */
function unescape(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of some HTML, tags removed and entities decoded as a browser shows it. */
function text(html: string): string {
  return unescape(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every element id, as the DOM holds it. */
function ids(page: string): string[] {
  return [...page.matchAll(/ id="([^"]*)"/g)].map((m) => unescape(m[1]!));
}

/** Every in-page link's target id, as a browser resolves it (the fragment percent-decoded). */
function fragments(page: string): string[] {
  return [...page.matchAll(/ href="#([^"]*)"/g)].map((m) => decodeURIComponent(unescape(m[1]!)));
}

describe('certificate page', () => {
  it('escapes every text: titles, messages, identities, reasons and choices', () => {
    const hostile = `<script>alert("x")</script>&<img src=x onerror=y>'`;
    const page = certificatePage(
      input({
        targets: [
          {
            name: `t${hostile}`,
            suite: 'openmobile',
            declared: { product: hostile, version: hostile, build: hostile, packageId: hostile },
            observed: { [hostile]: hostile },
            observedFrom: hostile,
          },
        ],
        environment: { ...input().environment, os: hostile, other: { [hostile]: hostile } },
        result: { certifiable: false, reasons: [{ kind: 'other', message: hostile, items: [hostile] }] },
        results: [
          makeCase({
            id: `om:x${hostile}`,
            target: `t${hostile}`,
            title: hostile,
            message: hostile,
            verdict: 'fail',
            requirements: ['OM-ACT-ACTIVATE', hostile],
            choices: { 'OM-CHOICE-HOST-CASE': hostile },
          }),
        ],
        ics: { declared: { suites: { openmobile: { choices: { 'OM-CHOICE-HOST-CASE': hostile } } } }, observed: null },
        expectationsFile: hostile,
      }),
    );
    expect(page).not.toMatch(/<script|<img|onerror=y>/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&lt;img src=x onerror=y&gt;&#39;');
    // The id and the links of the case's anchor are escaped too, and find each other as a browser reads them.
    const anchor = caseAnchor(`t${hostile}`, `om:x${hostile}`);
    expect(ids(page)).toContain(anchor);
    const links = fragments(page).filter((f) => f === anchor);
    expect(links.length).toBeGreaterThanOrEqual(2);
  });

  it("counts a requirement's cases per verdict, lists the ones not passing, and marks the untested", () => {
    const results = [
      makeCase({ id: 'om:a@ios-url', requirements: ['OM-ACT-ACTIVATE', 'OM-CODE-0-SUCCESS'] }),
      makeCase({ id: 'om:b@ios-url', requirements: ['OM-ACT-ACTIVATE'] }),
      makeCase({ id: 'om:c@ios-url', requirements: ['OM-ACT-ACTIVATE'], verdict: 'fail', message: 'code 3, not 0' }),
      makeCase({ id: 'om:d@ios-url', requirements: ['OM-ACT-ACTIVATE'], verdict: 'not-applicable' }),
      makeCase({ id: 'om:e@ios-url', requirements: ['OM-SOFT-HINT'], verdict: 'non-strict' }),
      // Passed, but the password was too short to search the logs for: never counted as checked.
      makeCase({
        id: 'om:f@ios-url',
        requirements: ['OM-LOG-NO-PASSWORD'],
        notCheckable: [{ requirement: 'OM-LOG-NO-PASSWORD', reason: 'password too short' }],
      }),
    ];
    const page = certificatePage(input({ results }));
    const activate = row(page, 'OM-ACT-ACTIVATE');
    expect(activate).toContain('data-verdict="pass">2 pass<');
    expect(activate).toContain('data-verdict="fail">1 fail<');
    expect(activate).toContain('data-verdict="not-applicable">1 not applicable<');
    expect(activate).not.toContain('data-verdict="broken"');
    expect(text(activate)).toMatch(/OM-ACT-ACTIVATE MUST activate works .* fail /);
    // The one not passing is listed outside the collapsed list; all four are in it.
    const [visible, collapsed] = activate.split('<details><summary>4 cases</summary>');
    expect(visible).toContain('om:c@ios-url');
    expect(visible).not.toContain('om:a@ios-url');
    for (const id of ['om:a@ios-url', 'om:b@ios-url', 'om:c@ios-url', 'om:d@ios-url']) expect(collapsed).toContain(id);

    expect(text(row(page, 'OM-CODE-0-SUCCESS'))).toContain('pass 1 pass');
    expect(text(row(page, 'OM-SOFT-HINT'))).toMatch(/SHOULD .* non-strict 1 non-strict/);
    const log = row(page, 'OM-LOG-NO-PASSWORD');
    expect(text(log)).toMatch(/not checkable 1 not checkable/);
    expect(log).not.toContain('data-verdict="pass"');

    // A requirement no suite of the run lists is said, not dropped.
    const stray = certificatePage(input({ results: [makeCase({ requirements: ['XX-GONE'] })] }));
    expect(text(stray)).toContain('Results name requirements no suite of the run lists: XX-GONE .');
    expect(page).not.toContain('no suite of the run lists');
    expect(ids(stray)).toContain('XX-GONE');

    const untested = certificatePage(input({ results: [results[0]!] }));
    expect(text(row(untested, 'OM-SOFT-HINT'))).toContain('not tested 0 cases no case tests it');
    expect(untested).toContain('4 requirements, 2 tested');
  });

  it('shows every requirement of every suite of the run in its own table', () => {
    const suites = Object.values(createSuites()).map((s) => ({
      name: s.name,
      specification: s.specification,
      ...s.catalogue(),
    }));
    const page = certificatePage(input({ suites }));
    for (const s of suites) {
      const start = page.indexOf(`data-suite="${s.name}"`);
      const end = page.indexOf('</table>', start);
      expect(start, s.name).toBeGreaterThan(0);
      for (const r of s.requirements) {
        const at = page.indexOf(`<tr id="${r.id}"`);
        expect(at, r.id).toBeGreaterThan(start);
        expect(at, r.id).toBeLessThan(end);
        expect(row(page, r.id)).toContain(`<td class="level">${r.severity}</td>`);
      }
    }
    expect(row(page, 'SW-CODE-ONCE')).toContain('not tested');
    // Requirements, choice points and sections never share an id (a link lands on one element).
    const all = ids(page);
    expect(all.filter((id, i) => all.indexOf(id) !== i)).toEqual([]);
  });

  it('says Not certifiable with every reason and its particulars, or Certifiable with none', () => {
    const page = certificatePage(
      input({
        result: {
          certifiable: false,
          reasons: [
            {
              kind: 'seeded-defects',
              target: 'emulated-android',
              message: 'target emulated-android runs with seeded defects switched on',
              items: ['password-in-logs', 'wrong-code-23'],
            },
            { kind: 'grep', message: 'the plan was narrowed with --grep', items: ['om:len-'] },
            { kind: 'incomplete-shards', message: 'shards not all merged', items: ['shard 3/4 of emulated-ios'] },
            { kind: 'interrupted', message: 'the run was interrupted' },
            { kind: 'lenient-option', message: 'a lenient option is on', items: ['swivel.clockless'] },
          ],
        },
      }),
    );
    expect(page).toContain('<p class="result not-certifiable" id="certifiable">Not certifiable</p>');
    expect(page).not.toContain('>Certifiable<');
    const reasons = text(page.slice(page.indexOf('<ul class="reasons"'), page.indexOf('<p class="totals">')));
    expect(reasons).toBe(
      'target emulated-android runs with seeded defects switched on password-in-logs wrong-code-23 ' +
        'the plan was narrowed with --grep om:len- shards not all merged shard 3/4 of emulated-ios ' +
        'the run was interrupted a lenient option is on swivel.clockless',
    );
    const clean = certificatePage(input());
    expect(clean).toContain('id="certifiable">Certifiable</p>');
    expect(clean).not.toContain('class="reasons"');
  });

  it('says whether the implementation passed apart from whether the bundle is certifiable', () => {
    const failed = makeCase({ verdict: 'fail' });
    const outcome = (page: string) => /id="outcome">([^<]*)</.exec(page)?.[1];
    // Certifiable evidence of a failure: the run was clean, the implementation failed.
    const page = certificatePage(input({ results: [makeCase(), failed] }));
    expect(outcome(page)).toBe('Failed');
    expect(page).toContain('id="certifiable">Certifiable</p>');
    expect(outcome(certificatePage(input({ results: [makeCase(), makeCase({ verdict: 'non-strict' })] })))).toBe(
      'Passed',
    );
    // A failure an expectations entry allows does not fail the run; one it does not allow does.
    const allowed = {
      status: 'expected' as const,
      where: 'harness.expectations.json /expectations/0',
      case: '*',
      target: '*',
      allowed: ['fail' as const],
      reason: 'vendor bug',
      failsRun: false,
    };
    const known = certificatePage(input({ results: [{ ...failed, expectation: allowed }] }));
    expect(outcome(known)).toBe('Passed');
    expect(text(known)).toContain('1 result: 1 fail (1 known deviation, below )');
    expect(
      outcome(certificatePage(input({ results: [{ ...failed, expectation: { ...allowed, failsRun: true } }] }))),
    ).toBe('Failed');
    // What certify says wins over what the results alone show (fuzzing found a failure).
    const fuzzed = certificatePage(
      input({
        results: [makeCase()],
        result: { outcome: 'fail', certifiable: true, reasons: [] },
        fuzz: { budgetMs: 120_000, targets: ['emulated-ios'], outcome: 'failures', note: 'kept in fuzz/' },
      }),
    );
    expect(outcome(fuzzed)).toBe('Failed');
    expect(text(fuzzed)).toContain('Fuzzing (120 s on emulated-ios): found failures ; kept in fuzz/');
    expect(certificatePage(input())).not.toContain('id="fuzz"');
  });

  it('shows the identity declared and observed, and the environment', () => {
    const page = certificatePage(input());
    const target = text(row(page, 'target-emulated-ios'));
    expect(target).toContain('Acme Provisioner 3.2.0 build 1042 com.acme.prov');
    expect(target).toContain('name emulated-ios version 3.2.0 read from adapter /v1/info');
    const env = text(
      page.slice(
        page.indexOf('<dl class="environment">'),
        page.indexOf('</dl>', page.indexOf('<dl class="environment">')),
      ),
    );
    expect(env).toBe(
      'Harness 0.1.0 Harness commit 7642e7d0123456789abcdef0123456789abcdef0 Node.js v20.19.0 Operating system linux 6.1 x64 ' +
        'Chromium 150.0.7871.100 Started 2026-12-07T03:00:00.000Z Ended 2026-12-07T03:05:00.000Z',
    );
  });

  it('never shows parameters, expected or observed values, steps or attachments', () => {
    const secret = 'Pa55-w0rd-XYZZY';
    const result = makeCase({
      verdict: 'fail',
      parameters: { password: secret },
      expected: { password: secret },
      observed: { logs: [`login ${secret}`] },
      attachments: [{ name: 'log', contentType: 'text/plain', body: secret }],
      steps: [{ name: 'provision', status: 'failed', start: 1, stop: 2, message: secret }],
      evidence: { sent: secret },
    });
    const page = certificatePage(input({ results: [result] }));
    expect(page).toContain(result.id);
    expect(page).not.toContain(secret);
    expect(page).not.toContain('XYZZY');
  });

  it('puts declared and observed choices side by side and marks a mismatch', () => {
    const results = [
      makeCase({ id: 'om:h1@ios-url', choices: { 'OM-CHOICE-HOST-CASE': 'not-handled' }, verdict: 'informational' }),
      makeCase({ id: 'om:h2@ios-url', choices: { 'OM-CHOICE-HOST-CASE': 'not-handled' }, verdict: 'informational' }),
      makeCase({ id: 'om:o1@ios-url', choices: { 'OM-CHOICE-OTHER': 'a' }, verdict: 'informational' }),
    ];
    const page = certificatePage(
      input({
        results,
        ics: {
          declared: {
            suites: {
              openmobile: {
                choices: { 'OM-CHOICE-HOST-CASE': 'handled', 'OM-CHOICE-OTHER': 'a' },
                precedence: ['2', '3'],
              },
            },
          },
          observed: {
            suites: {
              openmobile: {
                choices: { 'OM-CHOICE-HOST-CASE': 'not-handled', 'OM-CHOICE-OTHER': 'a' },
                precedence: ['3', '2'],
              },
            },
          },
        },
      }),
    );
    const host = row(page, 'OM-CHOICE-HOST-CASE');
    expect(host).toContain('class="choice mismatch"');
    expect(text(host)).toBe(
      'OM-CHOICE-HOST-CASE host case handled , not-handled handled not-handled emulated-ios: not-handled (2) mismatch',
    );
    const other = row(page, 'OM-CHOICE-OTHER');
    expect(other).toContain('class="choice"');
    expect(text(other)).toMatch(/as declared$/);
    expect(row(page, 'precedence-openmobile')).toContain('class="choice mismatch"');
    expect(text(row(page, 'precedence-openmobile'))).toContain('2 > 3 3 > 2 mismatch');

    // Without a statement nothing is a mismatch: what was observed is shown as it is.
    const undeclared = certificatePage(input({ results }));
    expect(undeclared).not.toMatch(/class="[^"]*mismatch/);
    expect(text(row(undeclared, 'OM-CHOICE-HOST-CASE'))).toContain(
      'not declared not shown emulated-ios: not-handled (2)',
    );
  });

  it('lists the known deviations with the entry that allowed them', () => {
    const expectation = {
      status: 'expected' as const,
      where: 'harness.expectations.json /expectations/0',
      case: 'om:len-*',
      target: '*',
      allowed: ['fail' as const],
      reason: 'vendor bug ACME-12',
      link: 'https://bugs.example/ACME-12',
      failsRun: false,
    };
    const results = [makeCase({ id: 'om:len-1@ios-url', verdict: 'fail', expectation }), makeCase()];
    const page = certificatePage(input({ results, expectationsFile: 'harness.expectations.json' }));
    const section = page.slice(
      page.indexOf('<section id="deviations">'),
      page.indexOf('</section>', page.indexOf('<section id="deviations">')),
    );
    expect(text(section)).toContain(
      'Judged with the expectations file harness.expectations.json : 1 case matched an entry.',
    );
    expect(text(section)).toContain(
      'emulated-ios: om:len-1@ios-url fail expected fail vendor bug ACME-12 https://bugs.example/ACME-12 harness.expectations.json /expectations/0',
    );
    expect(row(page, 'OM-ACT-ACTIVATE')).toContain('known deviation');
    expect(certificatePage(input())).toContain('None: the run was judged without an expectations file.');
  });

  it("shows the signing key's fingerprint: SHA-256 of the public key's DER, grouped", () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const hex = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const fingerprint = publicKeyFingerprint(publicKey);
    expect(fingerprint.replace(/ /g, '')).toBe(hex);
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    // The same from the PEM, and from the private key.
    expect(publicKeyFingerprint(publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(fingerprint);
    expect(publicKeyFingerprint(privateKey)).toBe(fingerprint);
    const page = certificatePage(input({ signingKey: { fingerprint, algorithm: 'Ed25519' } }));
    expect(page).toContain(`<p class="fingerprint"><code>${fingerprint}</code></p>`);
    expect(certificatePage(input())).toContain('The bundle is not signed.');
  });

  it('links every case to its row in the cases list, one row per target and case', () => {
    const results = [
      makeCase({ id: 'om:a@ios-url', target: 'ios', verdict: 'fail' }),
      makeCase({ id: 'om:a@ios-url', target: 'ios-2', verdict: 'pass' }),
    ];
    const page = certificatePage(input({ results }));
    for (const r of results) {
      const anchor = caseAnchor(r.target, r.id);
      expect(fragments(page)).toContain(anchor);
      expect(ids(page).filter((id) => id === anchor)).toHaveLength(1);
    }
    // Every in-page link lands on an element of the page.
    const all = new Set(ids(page));
    expect(fragments(page).filter((f) => !all.has(f))).toEqual([]);
    // Two targets: the links name the target.
    expect(text(row(page, 'OM-ACT-ACTIVATE'))).toContain('fail ios: om:a@ios-url');
  });

  it('stays readable for a plan of 3,400 cases: counts and at most a few ids per row outside the collapsed list', () => {
    const requirements = SUITE.requirements.map((r) => r.id);
    const results: CaseResult[] = Array.from({ length: 3400 }, (_, i) =>
      makeCase({
        id: `om:case-${i}@ios-url`,
        requirements: [requirements[i % 3]!, 'OM-ACT-ACTIVATE'],
        verdict: i % 50 === 0 ? 'fail' : 'pass',
        message: 'result 0 as expected',
      }),
    );
    const page = certificatePage(input({ results }));
    const activate = row(page, 'OM-ACT-ACTIVATE');
    expect(activate).toContain('data-verdict="fail">68 fail<');
    expect(activate).toContain('data-verdict="pass">3332 pass<');
    const visible = activate.slice(0, activate.indexOf('<details><summary>3400 cases</summary>'));
    expect(visible.match(/<a href="#case:/g)).toHaveLength(8);
    expect(text(visible)).toContain('and 60 more not passing (in the list below)');
    // The whole run stays a page a browser opens at once (a few MB), not tens of MB.
    expect(page.length).toBeLessThan(6_000_000);
  });

  it('is self-contained: no script, nothing fetched, a policy that forbids both', () => {
    const page = certificatePage(input({ results: [makeCase()] }));
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page.startsWith('<!doctype html>')).toBe(true);
  });
});
