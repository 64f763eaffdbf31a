/**
 * The suite registry (src/cli/builtins.ts): one entry per suite, the drivers, their config checks and the
 * suite of each driver derived from it, and a driver tied to its suite's session type by the compiler.
 */
import { describe, expect, it } from 'vitest';
import { createSwivelDriver, checkSwivelDriverOptions } from '../../drivers/http/swivel.ts';
import { createEmulatedDriver, checkEmulatedDriverOptions } from '../../drivers/emulated/driver.ts';
import {
  CONFIG_CHECKS,
  corpusFolder,
  createSuites,
  DRIVERS,
  fuzzReportName,
  SUITE_OF_DRIVER,
  SUITES,
  suiteCatalogs,
  suiteEntry,
  suiteOf,
} from '../../src/cli/builtins.ts';
import { OpenMobileSuite } from '../../suites/openmobile/index.ts';
import { SwivelSuite } from '../../suites/swivel/index.ts';

describe('the suite registry', () => {
  it('derives the drivers, their checks and the suite of each driver from the entries', () => {
    const drivers = Object.values(SUITES).flatMap((e) => Object.keys(e.drivers));
    expect(new Set(drivers).size).toBe(drivers.length);
    expect(Object.keys(DRIVERS).sort()).toEqual([...drivers].sort());
    expect(Object.keys(CONFIG_CHECKS.drivers).sort()).toEqual([...drivers].sort());
    expect(SUITE_OF_DRIVER).toEqual({
      emulated: 'openmobile',
      http: 'openmobile',
      browser: 'openmobile',
      appium: 'openmobile',
      swivel: 'swivel',
      surepassid: 'surepassid',
      'profile-service': 'openmobile-profiles',
    });
  });

  it('has no fallback suite: a target of an unknown driver is a configuration error', () => {
    expect(suiteOf({ name: 'lab', driver: 'swivel' })).toBe('swivel');
    expect(() => suiteOf({ name: 'lab', driver: 'nope' })).toThrow(/target "lab" uses unknown driver "nope"/);
  });

  it("creates every suite under its own name, and lists every suite's requirement catalogue", () => {
    const suites = createSuites();
    expect(Object.entries(suites).map(([key, s]) => [key, s.name])).toEqual(
      Object.keys(SUITES).map((name) => [name, name]),
    );
    expect(suiteCatalogs().map((c) => c.name)).toEqual(Object.keys(SUITES));
    for (const c of suiteCatalogs()) expect(c.requirements.length).toBeGreaterThan(0);
  });

  it('sends a replayed file to the suite whose corpus folder holds it', () => {
    const suites = createSuites(undefined, ['/c/swivel/sw-reg-1.json', '/c/om-reg-2.json']);
    expect((suites['swivel'] as unknown as { extraFiles: string[] }).extraFiles).toEqual(['/c/swivel/sw-reg-1.json']);
    expect((suites['openmobile'] as unknown as { extraFiles: string[] }).extraFiles).toEqual(['/c/om-reg-2.json']);
    expect(corpusFolder('openmobile', '/c')).toBe('/c');
    expect(corpusFolder('swivel', '/c')).toBe('/c/swivel');
  });

  it('names a fuzz report after its suite', () => {
    expect(fuzzReportName(['openmobile'])).toBe('Open Mobile provisioning conformance');
    expect(fuzzReportName(['swivel'])).toBe('Swivel provisioning conformance');
  });

  it("does not compile a driver whose sessions are not its suite's", () => {
    // Type-checked by `npm run check` (tsc): these lines are never called.
    const wrong = () =>
      suiteEntry({
        create: () => new SwivelSuite(),
        // @ts-expect-error an Open Mobile client's driver cannot serve the Swivel suite
        drivers: { emulated: { create: createEmulatedDriver, check: checkEmulatedDriverOptions } },
        corpus: 'own',
        reportName: 'x',
      });
    const right = () =>
      suiteEntry({
        create: () => new SwivelSuite(),
        drivers: { swivel: { create: createSwivelDriver, check: checkSwivelDriverOptions } },
        corpus: 'own',
        reportName: 'x',
      });
    const alsoWrong = () =>
      suiteEntry({
        create: () => new OpenMobileSuite(),
        // @ts-expect-error a Swivel server's driver cannot serve the Open Mobile suite
        drivers: { swivel: { create: createSwivelDriver, check: checkSwivelDriverOptions } },
        corpus: 'shared',
        reportName: 'x',
      });
    expect([wrong, right, alsoWrong].every((f) => typeof f === 'function')).toBe(true);
  });
});
