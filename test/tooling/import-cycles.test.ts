/**
 * No module of the harness imports itself through others (src/, protocols/, suites/, drivers/). A circle
 * works until the day a value is read before its module finished loading, and it hides which part owns a
 * type (issue 18: suites/openmobile/index.ts and links.ts imported each other). Type-only imports count: they
 * are the design's circle even where the runtime would not notice. Dynamic `import()` does not: it is how
 * a module loads another on demand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/helpers.ts';

const STATIC_IMPORT = /^\s*(?:import|export)\b[^;'"(]*?'(\.{1,2}\/[^']+)'/gm;

/** Each file's relative static imports, resolved to repository paths. */
function importGraph(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const deps = [...text.matchAll(STATIC_IMPORT)].map((m) => path.posix.join(path.posix.dirname(file), m[1]!));
    graph.set(
      file,
      deps.filter((d) => files.has(d)),
    );
  }
  return graph;
}

/** Every circle found by a depth-first walk, each written `a -> b -> a`. */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep].join(' -> '));
      else if (state.get(dep) === undefined) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

function sources(dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    for (const f of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      const rel = path.posix.join(dir, f.split(path.sep).join('/'));
      if (rel.endsWith('.ts') && !rel.includes('node_modules/'))
        files.set(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
    }
  }
  return files;
}

describe('import circles', () => {
  it('finds none in the harness', () => {
    const files = sources(['src', 'protocols', 'suites', 'drivers']);
    expect(files.size).toBeGreaterThan(100);
    expect(cycles(importGraph(files))).toEqual([]);
  });

  it('finds a circle of type-only and multi-line imports, and ignores dynamic import()', () => {
    const files = new Map([
      ['suites/x/index.ts', "import {\n  page,\n} from './links.ts';\nexport const run = () => import('./late.ts');\n"],
      ['suites/x/links.ts', "import type { Data } from './index.ts';\nexport const page = (d: Data) => d;\n"],
      ['suites/x/late.ts', "import { run } from './index.ts';\nexport const again = run;\n"],
    ]);
    expect(cycles(importGraph(files))).toEqual(['suites/x/index.ts -> suites/x/links.ts -> suites/x/index.ts']);
  });
});
