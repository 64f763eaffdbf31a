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

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message: why })) }],
  },
});

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
    ['**/suites/**'],
    'drivers never import a suite: the oracle and the target stay independent',
  ),
  layer(
    ['suites/**/*.ts'],
    ['**/drivers/**', '**/src/runner/**', '**/src/reporters/**', '**/src/cli/**'],
    'a suite knows only src/core',
  ),
  layer(
    ['src/core/**/*.ts'],
    ['../config/**', '../runner/**', '../reporters/**', '../cli/**', '**/suites/**', '**/drivers/**'],
    'src/core is the bottom layer',
  ),
  layer(
    ['src/config/**/*.ts', 'src/runner/**/*.ts', 'src/reporters/**/*.ts'],
    ['**/suites/**', '**/drivers/**', '../cli/**'],
    'the engine knows no particular suite or driver: use the registries in src/cli/builtins.ts',
  ),
  layer(['src/reporters/**/*.ts'], ['../runner/**'], 'reporters see results, not the runner'),
);
