/**
 * Bad user input (issue 13): real configs written to temp dirs and the real CLI spawned, because what a user
 * sees is the message and the exit code. Every problem of a config in one run, exit 2, the file actually
 * loaded named, the field path and the nearest valid name given, never a stack trace; and each driver's own
 * factory rejecting an option it does not know (a typo must not give a green run).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppiumDriverOptions } from '../../drivers/appium/options.ts';
import { createEmulatedDriver } from '../../drivers/emulated/driver.ts';
import { checkHttpDriverOptions } from '../../drivers/http/driver.ts';
import { checkProfileServiceDriverOptions } from '../../drivers/http/openmobile-profiles.ts';
import { checkSurePassIdDriverOptions } from '../../drivers/http/surepassid.ts';
import { checkSwivelDriverOptions } from '../../drivers/http/swivel.ts';
import { HarnessError } from '../../src/core/errors.ts';
import { KEY, repoPaths, runCli, tempProject, type CliRun } from '../e2e/helpers.ts';

/** Exit 2, the code, and nothing that looks like a stack trace or an internal error. */
function expectUserError(run: CliRun, code: string): string {
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`${code}: `);
  expect(run.stderr).not.toMatch(/\n\s+at |internal error|node:internal/);
  return run.stderr;
}

/** A project whose config is *not* harness.config.ts (the messages must name the file actually loaded). */
function project(file: string, text: string): string {
  const dir = tempProject('export default {};\n');
  writeFileSync(path.join(dir, file), text);
  return dir;
}

describe('one config with many problems: all of them in one run', () => {
  const NINE = `export default {
  ${repoPaths()}
  targets: [
    { name: 'ios', driver: 'emulated', options: { platform: 'ios', defect: ['username-limit-off-by-one'] } },
    { name: 'typo-driver', driver: 'emulatd', options: {} },
    { name: 'adapter', driver: 'http', options: { url: 'http://127.0.0.1:9400', timeotuMs: 5000 } },
    { name: 'sw', driver: 'swivel', options: { reference: true, defects: ['code-reusabel'] } },
    { name: 'sp', driver: 'surepassid', options: { reference: true, qrr: 'image' } },
    { name: 'ps', driver: 'profile-service', options: { reference: true, defect: [] } },
    { name: 'phone', driver: 'appium', options: { platform: 'android', devices: [{ udid: 'a', sytemPort: 8200 }] } },
  ],
  reporters: ['consol', ['junit', { filename: 'x.xml' }]],
  obfuscation: { key: '${'Z'.repeat(64)}' },
  timeoutMs: 'soon',
  wokers: 3,
};
`;

  it('lists every problem with file, path, target and the nearest name, and exits 2', async () => {
    const dir = project('lab.config.ts', NINE);
    const stderr = expectUserError(await runCli(['run', '--config', 'lab.config.ts'], dir), 'HARNESS_CONFIG_INVALID');
    const lines = [
      'lab.config.ts (root): unknown option "wokers": did you mean "workers"?',
      'lab.config.ts timeoutMs: must be integer, got "soon"',
      'lab.config.ts targets[0].options.defect: target "ios" (emulated driver): unknown option "defect": did you mean "defects"?',
      'lab.config.ts targets[1].driver: target "typo-driver": unknown driver "emulatd": did you mean "emulated"?',
      'lab.config.ts targets[2].options.timeotuMs: target "adapter" (http driver): unknown option "timeotuMs": did you mean "timeoutMs"?',
      'lab.config.ts targets[3].options.defects[0]: target "sw" (swivel driver): unknown defect "code-reusabel": did you mean "code-reusable"?',
      'lab.config.ts targets[4].options.qrr: target "sp" (surepassid driver): unknown option "qrr": did you mean "qr"?',
      'lab.config.ts targets[5].options.defect: target "ps" (profile-service driver): unknown option "defect": did you mean "defects"?',
      'lab.config.ts targets[6].options.devices[0].sytemPort: target "phone" (appium driver): unknown option "sytemPort": did you mean "systemPort"?',
      'lab.config.ts reporters[0]: unknown reporter "consol": did you mean "console"?',
      'lab.config.ts reporters[1][1].filename: unknown option "filename" of the junit reporter: did you mean "fileName"?',
      'lab.config.ts obfuscation.key: must be 64 hex characters (0-9, A-F: an AES-256 key): it has 64 characters, but character 1 is not a hex digit',
    ];
    for (const line of lines) expect(stderr).toContain(`  ${line}`);
    expect(stderr).toContain(
      `HARNESS_CONFIG_INVALID: ${lines.length} configuration problem(s) (config file lab.config.ts)`,
    );
    // The key is a secret: never quoted, even when it is wrong. Nor is harness.config.ts named: it was not loaded.
    expect(stderr).not.toContain('ZZZZ');
    expect(stderr).not.toContain('harness.config.ts');
  });

  it('a typo of defects no longer gives a green run', async () => {
    const dir = tempProject(
      `export default { ${repoPaths()} obfuscation: { key: '${KEY}' }, targets: [{ name: 'android', driver: 'emulated', options: { platform: 'android', defect: ['username-limit-off-by-one'] } }] };\n`,
    );
    const stderr = expectUserError(await runCli(['run', '--grep', 'OM-LIMIT'], dir), 'HARNESS_CONFIG_INVALID');
    expect(stderr).toContain('harness.config.ts targets[0].options.defect: target "android" (emulated driver)');
  });

  it('an unknown --reporter is reported with the command line as its source', async () => {
    const dir = tempProject(`export default { ${repoPaths()} };\n`);
    const stderr = expectUserError(await runCli(['run', '--reporter', 'junt'], dir), 'HARNESS_CONFIG_INVALID');
    expect(stderr).toContain('  command line --reporter: unknown reporter "junt": did you mean "junit"?');
  });
});

describe('a config that cannot be loaded', () => {
  it("a syntax error shows file:line:column, esbuild's message and the line with a caret", async () => {
    const dir = project(
      'broken.config.ts',
      "export default {\n  targets: [{ name: 'a', driver: 'emulated', options: { platform: 'ios' } ],\n};\n",
    );
    const stderr = expectUserError(
      await runCli(['list', '--config', 'broken.config.ts'], dir),
      'HARNESS_CONFIG_INVALID',
    );
    expect(stderr).not.toContain('Transform failed with 1 error:.');
    expect(stderr).toContain('broken.config.ts could not be loaded: 1 syntax error(s)');
    expect(stderr).toContain('  broken.config.ts:2:75: Expected "}" but found "]"');
    expect(stderr).toContain("  targets: [{ name: 'a', driver: 'emulated', options: { platform: 'ios' } ],");
    expect(stderr).toMatch(/\n {6} {74}\^\n/);
  });

  it('a default export that is not an object says what it is', async () => {
    const dir = project('n.config.ts', 'export default 42;\n');
    const stderr = expectUserError(await runCli(['list', '--config', 'n.config.ts'], dir), 'HARNESS_CONFIG_INVALID');
    expect(stderr).toContain('n.config.ts: the default export is 42 (a number), not a configuration object');
    expect(stderr).not.toContain('must have a default export');
  });

  it('a missing import and a throwing config are told apart', async () => {
    const dir = project('imp.config.ts', "import x from './nope.ts';\nexport default x;\n");
    writeFileSync(path.join(dir, 'thr.config.ts'), "throw new Error('no lab today');\nexport default {};\n");
    const missing = expectUserError(await runCli(['list', '--config', 'imp.config.ts'], dir), 'HARNESS_CONFIG_INVALID');
    expect(missing).toContain("imp.config.ts could not be loaded: Cannot find module './nope.ts'. Fix the import");
    expect(missing).not.toContain('namespace=');
    const thrown = expectUserError(await runCli(['list', '--config', 'thr.config.ts'], dir), 'HARNESS_CONFIG_INVALID');
    expect(thrown).toContain(
      'thr.config.ts could not be loaded: it threw Error: no lab today. Fix the code that throws',
    );
  });
});

describe('flags', () => {
  it.each([
    ['--timeout', '-5', '--timeout must be a whole number of milliseconds >= 1, got "-5": for example --timeout 5000'],
    ['--workers', '-1', '--workers must be a whole number >= 1, got "-1": for example --workers 4'],
  ])('a negative number to %s names the flag and the fix, not "argument is ambiguous"', async (flag, value, text) => {
    const dir = tempProject(`export default { ${repoPaths()} };\n`);
    const stderr = expectUserError(await runCli(['run', flag, value], dir), 'HARNESS_USAGE');
    expect(stderr).toContain(`HARNESS_USAGE: ${text}`);
    expect(stderr).not.toContain('ambiguous');
  });
});

describe('each driver rejects an option it does not know, with the nearest valid name', () => {
  it.each([
    ['http', checkHttpDriverOptions({ url: 'http://127.0.0.1:1', timeout: 5 }), 'timeout', 'timeoutMs'],
    ['swivel', checkSwivelDriverOptions({ reference: true, instance: 2 }), 'instance', 'instances'],
    ['surepassid', checkSurePassIdDriverOptions({ reference: true, maxSession: 2 }), 'maxSession', 'maxSessions'],
    ['profile-service', checkProfileServiceDriverOptions({ reference: true, verison: '1' }), 'verison', 'version'],
    [
      'appium',
      checkAppiumDriverOptions({ platform: 'android', devices: [{ udid: 'a' }], settelMs: 0 }),
      'settelMs',
      'settleMs',
    ],
  ])('%s', (_driver, problems, key, near) => {
    expect(problems).toEqual([
      { path: key, message: expect.stringContaining(`unknown option "${key}": did you mean "${near}"?`) as unknown },
    ]);
  });

  it('the emulated driver refuses to start with a misspelt option (it used to run without the defect)', async () => {
    const error = await createEmulatedDriver(
      { platform: 'android', defect: ['username-limit-off-by-one'] },
      { rootDir: '/', obfuscationKey: KEY },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).problems).toEqual([
      {
        file: 'emulated driver options',
        path: 'defect',
        message: expect.stringContaining('did you mean "defects"?') as unknown,
      },
    ]);
  });
});
