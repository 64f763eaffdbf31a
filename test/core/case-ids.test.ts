/**
 * The case-id convention (src/core/case-ids.ts; docs/vectors.md, "Case ids"): its form, the conventional
 * form of a former id, the aliases of former ids, and `--grep` with former ids (src/runner/select.ts).
 * test/cli/case-ids.test.ts checks it over every suite's loaded plans.
 */
import { describe, expect, it } from 'vitest';
import {
  CaseAliases,
  caseIdFileName,
  caseIdProblem,
  conventionalVectorId,
  parseCaseId,
  renameFormerIds,
  type RenamedVector,
} from '../../src/core/case-ids.ts';
import type { PlannedCase } from '../../src/core/suite.ts';
import { formerIdNotices, selectCases } from '../../src/runner/select.ts';

describe('the case-id convention', () => {
  it('parses <suite>:<name>[@<platform>-<method>] and nothing else', () => {
    expect(parseCaseId('om:ex-complete-android@android-url')).toEqual({
      prefix: 'om',
      name: 'ex-complete-android',
      route: 'android-url',
    });
    expect(parseCaseId('sw:code-once')).toEqual({ prefix: 'sw', name: 'code-once', route: null });
    for (const bad of ['SW-CODE-ONCE', 'om:Ex', 'om:ex--1', 'om:ex-', 'om:', 'ex-1', 'om:ex@ios', 'om:ex@ios-url@x'])
      expect(parseCaseId(bad), bad).toBeNull();
  });

  it('says what is wrong with an id for a suite', () => {
    expect(caseIdProblem('om:a@ios-url', 'om', true)).toBeNull();
    expect(caseIdProblem('om:a', 'om', true)).toMatch(/has no route/);
    expect(caseIdProblem('sw:a@ios-url', 'sw', false)).toMatch(/has a route/);
    expect(caseIdProblem('sp:a', 'sw', false)).toMatch(/not a case id of the form sw:<name>/);
  });

  it('gives a former id its conventional form, and leaves a conventional or hopeless one alone', () => {
    expect(conventionalVectorId('om', 'OM-EX-COMPLETE-ANDROID')).toBe('om:ex-complete-android');
    expect(conventionalVectorId('sw', 'SW-REG-5-0-1')).toBe('sw:reg-5-0-1');
    expect(conventionalVectorId('sp', 'sp-cred-wrong-key-add')).toBe('sp:cred-wrong-key-add');
    expect(conventionalVectorId('omp', 'admin-replace')).toBe('omp:admin-replace');
    expect(conventionalVectorId('omp', 'omp-reg-admin-11-3-1')).toBe('omp:reg-admin-11-3-1');
    expect(conventionalVectorId('om', 'om:ex-1')).toBeNull();
    expect(conventionalVectorId('om', 'OM FIX_lower')).toBeNull();
  });

  it('renames the former ids of a vector file before it is checked, and says where', () => {
    const document = { vectors: [{ id: 'SW-CODE-ONCE' }, { id: 'sw:b' }, { id: 7 }, null] };
    const renamed: RenamedVector[] = [];
    renameFormerIds(document, 'kept.json', 'sw', (r) => renamed.push(r));
    expect(document.vectors[0]).toEqual({ id: 'sw:code-once' });
    expect(document.vectors[1]).toEqual({ id: 'sw:b' });
    expect(renamed).toEqual([{ file: 'kept.json', path: '/vectors/0/id', from: 'SW-CODE-ONCE', to: 'sw:code-once' }]);
  });

  it('keeps a kept failure in a file named as before (om:reg-x -> om-reg-x.json)', () => {
    expect(caseIdFileName('om:reg-emulated-android-sequences-7')).toBe('om-reg-emulated-android-sequences-7.json');
  });

  it('resolves a former vector id on every route, and lists the former ids of a case', () => {
    const aliases = new CaseAliases({ 'OM-A': 'om:a', 'SW-B': 'sw:b' });
    expect(aliases.resolve('OM-A')).toBe('om:a');
    expect(aliases.resolve('OM-A@ios-url')).toBe('om:a@ios-url');
    expect(aliases.resolve('SW-B')).toBe('sw:b');
    expect(aliases.resolve('om:a')).toBeUndefined();
    expect(aliases.formerIds('om:a@ios-url')).toEqual(['OM-A@ios-url']);
    expect(aliases.formerIds('sw:b')).toEqual(['SW-B']);
  });
});

describe('--grep with former ids', () => {
  const c = (id: string, requirements: string[]): PlannedCase => ({
    id,
    title: id,
    area: 'x',
    requirements,
    needs: [],
  });
  const cases = [
    c('sw:code-once', ['SW-CODE-ONCE']),
    c('sw:clu-sharing', ['SW-CODE-ONCE', 'SW-CLUSTER']),
    c('sw:code-none-issued', ['SW-CODE-OWN-USER']),
    c('om:a@ios-url', []),
    c('om:a-2@ios-url', []),
  ];
  const aliases = new CaseAliases({
    'SW-CODE-ONCE': 'sw:code-once',
    'SW-CODE-NONE-ISSUED': 'sw:code-none-issued',
    'OM-A': 'om:a',
    'OM-A-2': 'om:a-2',
  });
  const ids = (patterns: string[]) => selectCases(cases, patterns, aliases).map((x) => x.id);

  it('selects exactly the case a former case id names', () => {
    expect(ids(['SW-CODE-NONE-ISSUED'])).toEqual(['sw:code-none-issued']);
    expect(ids(['OM-A@ios-url'])).toEqual(['om:a@ios-url']);
    expect(formerIdNotices(cases, ['OM-A@ios-url'], aliases)).toEqual([
      '--grep OM-A@ios-url: "OM-A@ios-url" is a former case id; it reads om:a@ios-url now (use that: the former ids are in vectors/aliases.json)',
    ]);
  });

  it('selects what a part of former ids selected before', () => {
    expect(ids(['OM-A'])).toEqual(['om:a@ios-url', 'om:a-2@ios-url']);
    expect(ids(['SW-CODE-'])).toEqual(['sw:code-once', 'sw:clu-sharing', 'sw:code-none-issued']);
  });

  it('reads a former id that is also a requirement ID as the requirement, and says so', () => {
    expect(ids(['SW-CODE-ONCE'])).toEqual(['sw:code-once', 'sw:clu-sharing']);
    expect(formerIdNotices(cases, ['SW-CODE-ONCE'], aliases)[0]).toMatch(
      /SW-CODE-ONCE is a requirement ID, and was the id of case sw:code-once .*--grep sw:code-once$/,
    );
  });

  it('says nothing of a current id or a requirement ID', () => {
    expect(formerIdNotices(cases, ['sw:code-once', 'SW-CLUSTER', 'om:a'], aliases)).toEqual([]);
  });
});
