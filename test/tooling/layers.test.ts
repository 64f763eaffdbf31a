/**
 * The layer rules of `npm run check` (eslint.config.js): the engine (src/, but the composition root
 * src/cli/builtins.ts and the public entry src/index.ts) names no suite's or driver's concept, and a driver
 * never imports a suite. Each rule is shown failing on a sample file and passing where it allows the import.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/helpers.ts';

// The project's config, without type information: a sample file is in no tsconfig project, and the layer
// rules look at import paths only.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

/** The layer messages eslint gives `code` as if it were the file `file` (the file need not exist). */
async function layerMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rules', () => {
  it.each([
    ['src/runner/sample.ts', "import type { Catalog } from '../../protocols/openmobile/types.ts';"],
    ['src/runner/sample.ts', "import { OpenMobileSuite } from '../../suites/openmobile/index.ts';"],
    ['src/core/sample.ts', "import type { ClientSession } from '../../protocols/openmobile/types.ts';"],
    ['src/cli/sample.ts', "import { startProfileService } from '../../drivers/emulated/profile-service.ts';"],
    ['src/fuzz/sample.ts', "import type { Vector } from '../../suites/swivel/types.ts';"],
    ['src/reporters/sample.ts', "import { createSwivelDriver } from '../../drivers/http/swivel.ts';"],
  ])('fails %s importing a suite, driver or protocol: %s', async (file, line) => {
    const messages = await layerMessages(file, `${line}\nexport const x = 1;\n`);
    expect(messages.length).toBe(1);
    expect(messages[0]).toMatch(/the engine knows no suite's or driver's concept/);
  });

  it('allows the composition root and the public entry to name them', async () => {
    const line =
      "import { OpenMobileSuite } from '../../suites/openmobile/index.ts';\nexport const x = OpenMobileSuite;\n";
    expect(await layerMessages('src/cli/builtins.ts', line)).toEqual([]);
    expect(await layerMessages('src/index.ts', "export type * from '../protocols/openmobile/types.ts';\n")).toEqual([]);
  });

  it('fails a driver importing a suite, and lets it import its protocol', async () => {
    const suite = "import { predict } from '../../suites/openmobile/model.ts';\nexport const x = predict;\n";
    expect(await layerMessages('drivers/emulated/sample.ts', suite)).toEqual([
      expect.stringContaining('drivers never import a suite'),
    ]);
    const protocol = "import type { Catalog } from '../../protocols/openmobile/types.ts';\nexport type X = Catalog;\n";
    expect(await layerMessages('drivers/emulated/sample.ts', protocol)).toEqual([]);
  });

  it('fails a protocol importing a suite or a driver', async () => {
    const suite = "import { predict } from '../../suites/openmobile/model.ts';\nexport const x = predict;\n";
    expect(await layerMessages('protocols/openmobile/sample.ts', suite)).toEqual([
      expect.stringContaining('a protocol is what a suite and its drivers share'),
    ]);
  });
});

describe('seeded values only in suites', () => {
  /** Every message eslint gives `code` as the file `file`, with its rule. */
  async function messages(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    "import { randomBytes } from 'node:crypto';\nexport const x = randomBytes(4);\n",
    "import { randomUUID } from 'crypto';\nexport const x = randomUUID();\n",
    'export const x = Math.random();\n',
    'export const x = crypto.getRandomValues(new Uint8Array(4));\n',
  ])('fails a suite drawing a value outside the seed: %s', async (code) => {
    const found = await messages('suites/surepassid/sample.ts', code);
    expect(found).toEqual([expect.stringContaining("come from the case's seeded generator")]);
  });

  it("allows a suite node:crypto's hashes, and a driver (a target's own randomness) its random values", async () => {
    expect(
      await messages(
        'suites/swivel/sample.ts',
        "import { createHash } from 'node:crypto';\nexport const x = createHash;\n",
      ),
    ).toEqual([]);
    expect(
      await messages(
        'drivers/emulated/sample.ts',
        "import { randomBytes } from 'node:crypto';\nexport const x = randomBytes(4);\n",
      ),
    ).toEqual([]);
  });
});
