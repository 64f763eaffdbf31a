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
      {
        patterns: rules.flatMap(([forbidden, why]) => forbidden.map((group) => ({ group: [group], message: why }))),
        ...(files.some((f) => f.startsWith('suites/')) ? { paths: UNSEEDED_IMPORTS } : {}),
      },
    ],
  },
});

/**
 * A suite draws every random value of a case from the case's seeded generator (`CaseEnv.random`,
 * src/core/random.ts): a value from node:crypto or Math.random reaches messages and step names, and two runs
 * with one seed then report differently (one defect split into many Allure groups, diffs between builds).
 */
const SEEDED_ONLY =
  "a suite's random values come from the case's seeded generator (CaseEnv.random, src/core/random.ts), so one seed gives the same report";
const UNSEEDED_IMPORTS = ['node:crypto', 'crypto'].map((name) => ({
  name,
  importNames: ['randomBytes', 'randomInt', 'randomUUID', 'getRandomValues', 'webcrypto'],
  message: SEEDED_ONLY,
}));

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
  {
    files: ['suites/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: SEEDED_ONLY }],
      'no-restricted-globals': ['error', { name: 'crypto', message: SEEDED_ONLY }],
    },
  },
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
