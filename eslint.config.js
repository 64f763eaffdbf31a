// Lint: type-aware rules plus the project's layers (STYLE.md item 1). The layer rules are what keep the
// oracle and the thing it judges independent: a driver never imports a suite, so an emulated client can
// never "agree with the model" by sharing its code.
import { readFileSync } from 'node:fs';
import tseslint from 'typescript-eslint';

/**
 * .gitignore as flat-config ignore patterns, so `npm run check` skips what git (and prettier) skip, such as a
 * scratch file. Git's rules: a pattern without a slash (or with one only at its end) matches at any depth; a
 * leading slash anchors it to the repository root; `!` re-includes.
 */
function gitignored(file) {
  return readFileSync(new URL(file, import.meta.url), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = negated ? line.slice(1) : line;
      const slash = pattern.indexOf('/');
      const anywhere = slash < 0 || slash === pattern.length - 1 ? '**/' : '';
      return `${negated ? '!' : ''}${anywhere}${slash === 0 ? pattern.slice(1) : pattern}`;
    });
}

/**
 * A layer: the imports `files` may not make, each group of patterns with its reason. A later layer that
 * matches a file replaces an earlier one's list for it (flat config), so a layer repeats what it inherits.
 */
const layer = (files, ...rules) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: rules.flatMap(([forbidden, why]) => forbidden.map((group) => ({ group: [group], message: why }))) },
    ],
  },
});

const ENGINE = [
  ['**/suites/**', '**/drivers/**', '**/protocols/**'],
  "the engine knows no suite's or driver's concept: name it in the registry (src/cli/builtins.ts)",
];

export default tseslint.config(
  { ignores: [...gitignored('.gitignore'), 'bin/', 'eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  layer(
    ['drivers/**/*.ts'],
    [['**/suites/**'], 'drivers never import a suite: the oracle and the target stay independent'],
  ),
  layer(
    ['protocols/**/*.ts'],
    [
      ['**/suites/**', '**/drivers/**', '**/src/config/**', '**/src/runner/**', '**/src/reporters/**', '**/src/cli/**'],
      'a protocol is what a suite and its drivers share: it knows only src/core',
    ],
  ),
  layer(
    ['suites/**/*.ts'],
    [
      ['**/drivers/**', '**/src/config/**', '**/src/runner/**', '**/src/reporters/**', '**/src/cli/**'],
      'a suite knows only src/core and its protocol (protocols/)',
    ],
  ),
  // The engine: src/ but the composition root (the registry) and the public entry names no suite's or
  // driver's concept; it reaches them through src/cli/builtins.ts. test/tooling/layers.test.ts shows the
  // rules failing.
  layer(['src/**/*.ts'], ENGINE),
  { files: ['src/cli/builtins.ts', 'src/index.ts'], rules: { 'no-restricted-imports': 'off' } },
  layer(['src/core/**/*.ts'], ENGINE, [
    ['../config/**', '../runner/**', '../reporters/**', '../cli/**', '../fuzz/**'],
    'src/core is the bottom layer',
  ]),
  layer(['src/config/**/*.ts', 'src/runner/**/*.ts', 'src/reporters/**/*.ts'], ENGINE, [
    ['../cli/**'],
    'the engine is composed in src/cli, never the other way round',
  ]),
  layer(
    ['src/reporters/**/*.ts'],
    ENGINE,
    [['../cli/**'], 'the engine is composed in src/cli, never the other way round'],
    [['../runner/**'], 'reporters see results, not the runner'],
  ),
);
