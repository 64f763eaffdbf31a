/**
 * The implementation conformance statement (src/core/ics.ts): the loader refuses each kind of bad statement
 * with exit 2 naming the file, the field and the fix; applyIcs fails a case whose choice differs from the
 * declaration and leaves every other verdict alone; the observed statement is one the loader accepts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSuites, icsVocabularies } from '../../src/cli/builtins.ts';
import { isHarnessError, type HarnessError } from '../../src/core/errors.ts';
import {
  applyIcs,
  icsText,
  loadIcs,
  observedIcs,
  targetUnderIcs,
  type Ics,
  type SuiteStatement,
} from '../../src/core/ics.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { PRIMARY_OPTIONS } from '../../suites/surepassid/judge.ts';

const VOCABULARIES = icsVocabularies();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463';
const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-ics-'));

const android = (): SuiteStatement => ({
  identity: { product: 'ClientX', version: '3.2.0', packageId: 'com.example.clientx' },
  platforms: ['android'],
  methods: ['url', 'intent'],
  capabilities: ['state', 'logs'],
  choices: { 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'first' },
});

/** Writes `document` and loads it: the problems it is refused with, or [] when accepted. */
function problemsOf(document: unknown, name = 'harness.ics.json'): string[] {
  const file = path.join(dir, name);
  writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
  try {
    loadIcs(file, VOCABULARIES, name);
    return [];
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    expect(error.code).toBe('HARNESS_ICS_INVALID');
    expect(error.message).toContain(name);
    return error.problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
  }
}

const withOpenMobile = (change: (s: SuiteStatement) => void): Ics => {
  const statement = android();
  change(statement);
  return { ics: 1, suites: { openmobile: statement } };
};

describe('loadIcs', () => {
  it('accepts a statement of each suite', () => {
    expect(
      problemsOf({
        ics: 1,
        suites: {
          openmobile: {
            ...android(),
            precedence: [
              'OM-PARAM-BOOL:test',
              'OM-PARAM-BOOL',
              'OM-PARAM-PID-BLANK',
              'OM-LEN-PASSWORD',
              'OM-LEN-USERNAME',
              'OM-CODE-32-OFFLINE',
              'OM-CODE-33-NO-PROFILE',
              'OM-CODE-20-DOMAIN',
              'OM-CODE-21-PREFIX',
            ],
          },
          surepassid: {
            identity: { product: 'SurePassID', version: '2024.1' },
            capabilities: ['test-hooks'],
            choices: { 'SP-CHOICE-TYPE-CASE': 'refused' },
          },
          swivel: { identity: { product: 'Swivel', version: '4.1' }, capabilities: ['clock'], choices: {} },
          'openmobile-profiles': {
            identity: { product: 'Portal', version: '1' },
            choices: { 'OMP-CHOICE-PATCH-UNMATCHED': '422' },
          },
        },
      }),
    ).toEqual([]);
  });

  it('refuses an option the choice point does not have, suggesting the nearest', () => {
    const problems = problemsOf(withOpenMobile((s) => (s.choices['OM-CHOICE-PLUS'] = 'spaces')));
    expect(problems).toEqual([
      'harness.ics.json /suites/openmobile/choices/OM-CHOICE-PLUS: "spaces" is not an option of OM-CHOICE-PLUS: did you mean "space"? its options are "literal", "space"',
    ]);
  });

  it('refuses an unknown choice point, suggesting the nearest', () => {
    const problems = problemsOf(withOpenMobile((s) => (s.choices['OM-CHOICE-PLUSS'] = 'space')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('/suites/openmobile/choices/OM-CHOICE-PLUSS: unknown choice point');
    expect(problems[0]).toContain('did you mean "OM-CHOICE-PLUS"?');
  });

  it("refuses another suite's choice point, and any on a suite that has none", () => {
    expect(problemsOf(withOpenMobile((s) => (s.choices['SP-CHOICE-TYPE-CASE'] = 'refused')))[0]).toContain(
      '/suites/openmobile/choices/SP-CHOICE-TYPE-CASE: unknown choice point',
    );
    const swivel = { identity: { product: 'S', version: '1' }, choices: { 'SW-CHOICE-X': 'a' } };
    expect(problemsOf({ ics: 1, suites: { swivel } })).toEqual([
      'harness.ics.json /suites/swivel/choices/SW-CHOICE-X: the swivel suite has no choice points: remove "SW-CHOICE-X"',
    ]);
  });

  it('refuses an unknown suite, suggesting the nearest', () => {
    expect(problemsOf({ ics: 1, suites: { openmobil: android() } })).toEqual([
      'harness.ics.json /suites/openmobil: unknown suite "openmobil": did you mean "openmobile"? the harness has "openmobile", "swivel", "surepassid", "openmobile-profiles"',
    ]);
  });

  it('refuses a capability, platform or method the suite does not know', () => {
    const problems = problemsOf(
      withOpenMobile((s) => {
        s.capabilities = ['state', 'log'];
        s.platforms = ['windows'];
        s.methods = ['intent', 'qr'];
      }),
    );
    expect(problems).toEqual([
      'harness.ics.json /suites/openmobile/platforms/0: unknown platform "windows": the suite knows "ios", "android"',
      'harness.ics.json /suites/openmobile/methods/1: unknown delivery method "qr": did you mean "url"? the suite knows "url", "intent"',
      'harness.ics.json /suites/openmobile/capabilities/1: unknown capability "log": did you mean "logs"? the suite knows "state", "logs", "network", "concurrency"',
    ]);
    const server = { identity: { product: 'S', version: '1' }, platforms: ['ios'], choices: {} };
    expect(problemsOf({ ics: 1, suites: { surepassid: server } })).toEqual([
      'harness.ics.json /suites/surepassid/platforms: the suite has no platforms: remove "platforms"',
    ]);
  });

  it('refuses an order of checks naming an unknown check', () => {
    expect(problemsOf(withOpenMobile((s) => (s.precedence = ['OM-PARAM-BOOL:test', 'OM-LEN-USERNAM'])))).toEqual([
      'harness.ics.json /suites/openmobile/precedence/1: unknown check "OM-LEN-USERNAM": did you mean "OM-LEN-USERNAME"? the checks are the requirement IDs of the checks (OM-LEN-USERNAME; OM-PARAM-BOOL:test for one parameter): see docs/ics.md',
    ]);
  });

  it('refuses an order of checks the specification rules out', () => {
    // 20 needs the new profile: it cannot be checked before the request's syntax or the fetch.
    const problems = problemsOf(
      withOpenMobile(
        (s) => (s.precedence = ['OM-LEN-USERNAME', 'OM-CODE-20-DOMAIN', 'OM-PARAM-BOOL', 'OM-CODE-33-NO-PROFILE']),
      ),
    );
    expect(problems).toEqual([
      'harness.ics.json /suites/openmobile/precedence/1: "OM-CODE-20-DOMAIN" is declared before "OM-PARAM-BOOL" (/suites/openmobile/precedence/2), which the specification rules out: a check of the effective configuration needs the new profile, so it cannot come before a request-syntax check or the fetch (docs/spec/open-mobile-reading.md, section 5). Move it after every one of "OM-LEN-USERNAME", "OM-PARAM-BOOL", "OM-CODE-33-NO-PROFILE"',
    ]);
    // A request check and the fetch may come in either order.
    expect(
      problemsOf(
        withOpenMobile((s) => (s.precedence = ['OM-CODE-33-NO-PROFILE', 'OM-LEN-USERNAME', 'OM-CODE-20-DOMAIN'])),
      ),
    ).toEqual([]);
  });

  it('refuses an order of checks on a suite that has none', () => {
    const server = { identity: { product: 'S', version: '1' }, choices: {}, precedence: ['1'] };
    expect(problemsOf({ ics: 1, suites: { surepassid: server } })).toEqual([
      'harness.ics.json /suites/surepassid/precedence: the surepassid suite has no order of checks: remove "precedence"',
    ]);
  });

  it('refuses a derived choice declared against the choice it derives from', () => {
    const problems = problemsOf(
      withOpenMobile((s) => {
        s.choices['OM-CHOICE-MALFORMED-ENCODING'] = 'lenient';
        s.choices['OM-CHOICE-MALFORMED-REJECT-CODE'] = 'parameter';
      }),
    );
    expect(problems).toEqual([
      'harness.ics.json /suites/openmobile/choices/OM-CHOICE-MALFORMED-REJECT-CODE: OM-CHOICE-MALFORMED-REJECT-CODE exists only when OM-CHOICE-MALFORMED-ENCODING is "reject", and /suites/openmobile/choices/OM-CHOICE-MALFORMED-ENCODING declares "lenient": remove OM-CHOICE-MALFORMED-REJECT-CODE, or declare OM-CHOICE-MALFORMED-ENCODING "reject"',
    ]);
    const consistent = withOpenMobile((s) => {
      s.choices['OM-CHOICE-MALFORMED-ENCODING'] = 'reject';
      s.choices['OM-CHOICE-MALFORMED-REJECT-CODE'] = 'parameter';
    });
    expect(problemsOf(consistent)).toEqual([]);
  });

  it('refuses what the schema does not allow, at its JSON pointer', () => {
    expect(problemsOf({ ics: 2, suites: {} })).toEqual([
      "harness.ics.json /ics: must be 1 (the statement format's version), got 2",
    ]);
    const noVersion = { ...android(), identity: { product: 'ClientX' }, choice: {} };
    expect(problemsOf({ ics: 1, suites: { openmobile: noVersion } })).toEqual([
      'harness.ics.json /suites/openmobile/choice: unknown property "choice": rename it to "choices" (allowed: identity, platforms, methods, capabilities, choices, precedence, description)',
      'harness.ics.json /suites/openmobile/identity: missing "version": add it (vectors/schema/ics.schema.json)',
    ]);
    expect(problemsOf(withOpenMobile((s) => (s.choices['OM-CHOICE-PLUS'] = 1 as unknown as string)))).toEqual([
      'harness.ics.json /suites/openmobile/choices/OM-CHOICE-PLUS: must be string, got number: change it',
    ]);
  });

  it('says what is wrong with a file that is not JSON, or not there', () => {
    expect(problemsOf('{ "ics": 1,', 'broken.ics.json')[0]).toMatch(/^broken\.ics\.json : /);
    try {
      loadIcs(path.join(dir, 'missing.json'), VOCABULARIES, 'missing.json');
      expect.unreachable();
    } catch (error) {
      expect((error as HarnessError).format()).toContain(
        'missing.json: does not exist: check the path, or write one from a run with `npx harness ics --target <name>`',
      );
    }
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      withOpenMobile((s) => {
        s.choices['OM-CHOICE-PLUS'] = 'spaces';
        s.capabilities = ['log'];
        s.precedence = ['OM-NOTHING'];
      }),
    );
    expect(problems).toHaveLength(3);
  });
});

function result(fields: Partial<CaseResult> = {}): CaseResult {
  return {
    id: 'om:pa-plus@android-url',
    title: 'A literal + in a value',
    target: 'emulated-android',
    specification: 'Open Mobile',
    area: 'parameters',
    requirements: ['OM-PARAM-DECODE'],
    verdict: 'informational',
    message: 'passed; implementation-defined choice: OM-CHOICE-PLUS=space',
    parameters: {},
    choices: { 'OM-CHOICE-PLUS': 'space' },
    steps: [],
    attachments: [],
    start: 0,
    stop: 1,
    replay: 'npx harness run --target emulated-android --grep om:pa-plus@android-url',
    ...fields,
  };
}

describe('applyIcs', () => {
  const ics = withOpenMobile((s) => (s.choices['OM-CHOICE-PLUS'] = 'literal'));

  it('fails a case that shows another option than the declared one, naming the declaration', () => {
    const before = result();
    const judged = applyIcs(before, ics, 'harness.ics.json');
    expect(judged.verdict).toBe('fail');
    expect(judged.category).toBe('inconsistent-choice');
    expect(judged.message).toBe(
      'harness.ics.json /suites/openmobile/choices/OM-CHOICE-PLUS declares "literal"; the target did "space"',
    );
    // Pure: the recorded result is not changed, and judging it again gives the same.
    expect(before.verdict).toBe('informational');
    expect(applyIcs(judged, ics, 'harness.ics.json')).toEqual(judged);
  });

  it('keeps the message and category of a case that failed anyway, after the declaration', () => {
    const failed = result({ verdict: 'fail', category: 'wrong-state', message: 'expected 0, got 23' });
    const judged = applyIcs(failed, ics, 'x.json');
    expect(judged.category).toBe('wrong-state');
    expect(judged.message).toBe(
      'x.json /suites/openmobile/choices/OM-CHOICE-PLUS declares "literal"; the target did "space"; expected 0, got 23',
    );
    expect(applyIcs(judged, ics, 'x.json')).toEqual(judged);
  });

  it('leaves a choice made as declared, a point not declared, and a case without a verdict alone', () => {
    const declared = withOpenMobile((s) => (s.choices['OM-CHOICE-PLUS'] = 'space'));
    for (const r of [
      result(),
      result({ choices: { 'OM-CHOICE-SEMICOLON': 'separator' } }),
      result({ verdict: 'pass', choices: {} }),
      result({ verdict: 'broken', choices: {} }),
      result({ verdict: 'not-applicable', choices: {} }),
    ]) {
      expect(applyIcs(r, declared, 'harness.ics.json')).toBe(r);
    }
    // Not-applicable and broken are never judged, whatever they recorded.
    const broken = result({ verdict: 'broken' });
    expect(applyIcs(broken, ics, 'harness.ics.json')).toBe(broken);
  });

  it('fails a case whose answer put the checks in another order than the declared one', () => {
    const declared = withOpenMobile((s) => (s.precedence = ['OM-PARAM-BOOL:test', 'OM-LEN-USERNAME', 'OM-PARAM-BOOL']));
    const answered = (winner: string, losers: string[]) =>
      result({
        id: 'om:gen-precedence-x@android-url',
        verdict: 'pass',
        message: 'as specified',
        choices: {},
        evidence: { precedence: [{ winner, losers }] },
      });
    // As declared: test's check first, username's before autologin's.
    for (const r of [
      answered('OM-PARAM-BOOL:test (11)', ['OM-LEN-USERNAME (23)']),
      answered('OM-LEN-USERNAME (23)', ['OM-PARAM-BOOL:autologin (11)']),
      // Checks the order leaves out are not ordered.
      answered('OM-CODE-33-NO-PROFILE (33)', ['OM-LEN-USERNAME (23)']),
    ]) {
      expect(applyIcs(r, declared, 'harness.ics.json')).toBe(r);
    }
    const judged = applyIcs(
      answered('OM-PARAM-BOOL:autologin (11)', ['OM-LEN-USERNAME (23)']),
      declared,
      'harness.ics.json',
    );
    expect(judged.verdict).toBe('fail');
    expect(judged.category).toBe('precedence');
    expect(judged.message).toBe(
      'harness.ics.json /suites/openmobile/precedence declares "OM-LEN-USERNAME" before "OM-PARAM-BOOL"; the target answered OM-PARAM-BOOL:autologin (11) over OM-LEN-USERNAME (23)',
    );
    expect(applyIcs(judged, declared, 'harness.ics.json')).toEqual(judged);
  });

  it("judges a server suite's choices against its own statement", () => {
    const server: Ics = {
      ics: 1,
      suites: {
        openmobile: android(),
        surepassid: { identity: { product: 'S', version: '1' }, choices: { 'SP-CHOICE-TYPE-CASE': 'refused' } },
      },
    };
    const judged = applyIcs(
      result({ id: 'sp:type-case', choices: { 'SP-CHOICE-TYPE-CASE': 'accepted' } }),
      server,
      'harness.ics.json',
    );
    expect(judged.verdict).toBe('fail');
    expect(judged.message).toBe(
      'harness.ics.json /suites/surepassid/choices/SP-CHOICE-TYPE-CASE declares "refused"; the target did "accepted"',
    );
  });
});

describe('targetUnderIcs', () => {
  const info = {
    name: 'emulated-android',
    version: '3.2.0',
    platform: 'android',
    methods: ['url', 'intent'],
    capabilities: ['state', 'logs', 'network', 'concurrency'],
  };
  const target = { name: 'emulated-android', suite: 'openmobile' };

  it('lets the plan see only the methods and capabilities the statement declares too', () => {
    const statement = { ...android(), methods: ['intent'] };
    const judged = targetUnderIcs(target, info, statement, 'harness.ics.json');
    expect(judged.info.methods).toEqual(['intent']);
    expect(judged.info.capabilities).toEqual(['state', 'logs']);
    expect(judged.capabilities).toBe('harness.ics.json /suites/openmobile/capabilities');
    const open = targetUnderIcs(target, info, { identity: { product: 'x', version: '1' }, choices: {} }, 'f');
    expect(open.info).toEqual(info);
    expect(open.capabilities).toBeNull();
  });

  it('refuses a target of another platform than the statement declares', () => {
    expect(() => targetUnderIcs(target, { ...info, platform: 'ios' }, android(), 'harness.ics.json')).toThrow(
      'harness.ics.json /suites/openmobile/platforms declares "android", and target emulated-android is ios',
    );
  });
});

describe('observedIcs', () => {
  it('writes what the run showed, a statement the loader accepts; a point shown two ways is left out', () => {
    const info = {
      name: 'emulated-android',
      version: '3.2.0',
      platform: 'android',
      methods: ['url'],
      capabilities: ['state'],
    };
    const ics = observedIcs([
      {
        suite: 'openmobile',
        info,
        results: [
          result({ choices: { 'OM-CHOICE-REPEATED': 'first', 'OM-CHOICE-PLUS': 'space' } }),
          result({ choices: { 'OM-CHOICE-REPEATED': 'first', 'OM-CHOICE-SERVICE-STATUS': '33' } }),
          // Shown two ways (per HTTP status): no one option to declare, so left out.
          result({ choices: { 'OM-CHOICE-SERVICE-STATUS': '2' } }),
          result({ verdict: 'pass', choices: {} }),
        ],
      },
    ]);
    expect(ics).toEqual({
      ics: 1,
      suites: {
        openmobile: {
          identity: { product: 'emulated-android', version: '3.2.0' },
          platforms: ['android'],
          methods: ['url'],
          capabilities: ['state'],
          choices: { 'OM-CHOICE-PLUS': 'space', 'OM-CHOICE-REPEATED': 'first' },
        },
      },
    });
    expect(problemsOf(icsText(ics), 'observed.ics.json')).toEqual([]);
  });
});

describe("each suite's vocabulary", () => {
  it("records the SurePassID suite's own reading as each choice point's first option", () => {
    const points = createSuites()['surepassid']?.catalogue().choicePoints ?? [];
    expect(Object.entries(PRIMARY_OPTIONS).sort()).toEqual(points.map((p) => [p.id, p.options[0]]).sort());
  });

  it("names the suite's own choice points and every capability its cases may need", async () => {
    const suites = createSuites();
    for (const vocabulary of VOCABULARIES) {
      const suite = suites[vocabulary.suite];
      expect(suite, vocabulary.suite).toBeDefined();
      expect(vocabulary.choicePoints.map((p) => [p.id, p.options])).toEqual(
        suite?.catalogue().choicePoints.map((p) => [p.id, p.options]),
      );
      for (const derived of vocabulary.derived ?? []) {
        expect(vocabulary.choicePoints.map((p) => p.id)).toContain(derived.point);
        expect(vocabulary.choicePoints.find((p) => p.id === derived.from)?.options).toContain(derived.option);
      }
    }
    expect(VOCABULARIES.map((v) => v.suite).sort()).toEqual(Object.keys(suites).sort());
    // Every capability a loaded suite's case needs is one a statement may declare.
    for (const vocabulary of VOCABULARIES) {
      const suite = suites[vocabulary.suite];
      await suite?.load({ rootDir: ROOT, vectorsRoot: path.join(ROOT, 'vectors'), obfuscationKey: KEY });
      const needs = new Set(suite?.list().flatMap((c) => c.needs));
      expect(needs.size, vocabulary.suite).toBeGreaterThan(0);
      for (const need of needs) expect(vocabulary.capabilities, vocabulary.suite).toContain(need);
    }
  }, 60_000);
});
