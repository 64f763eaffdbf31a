import { describe, expect, it } from 'vitest';
import { createSuites } from '../../src/cli/builtins.ts';
import { requirementsPage } from '../../src/cli/requirements-page.ts';
import { reportTitle } from '../../src/reporters/allure.ts';

const suites = Object.values(createSuites());
const sections = suites.map((suite) => ({
  name: suite.name,
  specification: suite.specification,
  ...suite.catalogue(),
}));

describe('requirements.html', () => {
  const page = requirementsPage(sections);

  it("has a row for every requirement of every suite, each id once, in its suite's section", () => {
    expect(sections.map((s) => s.name).sort()).toEqual(['openmobile', 'openmobile-profiles', 'surepassid', 'swivel']);
    for (const s of sections) {
      const start = page.indexOf(`<section id="suite-${s.name}">`);
      const end = page.indexOf('</section>', start);
      expect(start, s.name).toBeGreaterThan(0);
      expect(s.requirements.length, s.name).toBeGreaterThan(0);
      for (const r of s.requirements) {
        const row = page.indexOf(`<tr id="${r.id}">`);
        expect(row, r.id).toBeGreaterThan(start);
        expect(row, r.id).toBeLessThan(end);
        expect(page.indexOf(`<tr id="${r.id}">`, row + 1), `${r.id} twice`).toBe(-1);
      }
    }
  });

  it("requirements.html#SW-CODE-ONCE lands on Swivel's entry", () => {
    const row = page.indexOf('<tr id="SW-CODE-ONCE">');
    expect(row).toBeGreaterThan(page.indexOf('<section id="suite-swivel">'));
    expect(page.slice(row, page.indexOf('</tr>', row))).toMatch(/<blockquote>.+<\/blockquote>/s);
  });
});

describe('the report title', () => {
  const spec = (name: string) => suites.find((s) => s.name === name)!.specification;
  const of = (...names: string[]) =>
    reportTitle({ suites: names.map((name) => ({ name, specification: spec(name), requirements: [] })) });

  it('names the suites the run tested, and only them', () => {
    const servers = of('swivel', 'surepassid');
    expect(servers).toContain(spec('swivel'));
    expect(servers).toContain(spec('surepassid'));
    expect(servers).not.toMatch(/Open Mobile/);
    expect(of('openmobile')).toBe(`Provisioning conformance: ${spec('openmobile')}`);
    expect(reportTitle({})).toBe('Provisioning conformance');
  });
});
