/**
 * src/core/vector-files.ts, the loader of every suite's vector files: a vector author sees every problem of
 * every file in one run (exit 2: HARNESS_VECTORS_INVALID), each naming its file, the field (a JSON pointer)
 * and the fix; what loads carries the file it came from; a kept failure loads first and only once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HarnessError, type Problem } from '../../src/core/errors.ts';
import { isRecord } from '../../src/core/json.ts';
import {
  caseSourceOf,
  collectVectorDirectory,
  linesOfIds,
  loadExtraVectorFile,
  loadVectorDirectory,
  throwVectorProblems,
  type CheckVectorDocument,
} from '../../src/core/vector-files.ts';

interface TinyVector {
  id: string;
  source?: string;
  line?: number;
}

/** A suite's check, as small as one can be: `{ "vectors": [{ "id": "..." }] }`, ids unique. */
const check: CheckVectorDocument<TinyVector> = (document, file, problems, seen) => {
  const list = isRecord(document) ? document['vectors'] : undefined;
  if (!Array.isArray(list)) {
    problems.push({ file, path: '', message: 'missing property "vectors": add it' });
    return [];
  }
  const out: TinyVector[] = [];
  list.forEach((raw: unknown, i) => {
    const id = isRecord(raw) ? raw['id'] : undefined;
    if (typeof id !== 'string') {
      problems.push({ file, path: `/vectors/${i}/id`, message: 'must be a string: give the vector an id' });
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push({ file, path: `/vectors/${i}/id`, message: `duplicate id "${id}" (first in ${first}): rename it` });
      return;
    }
    seen.set(id, file);
    out.push({ id });
  });
  return out;
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A project folder with `vectors/<suite>/` holding `files` (an object is written as JSON). */
function project(files: Record<string, unknown>): { root: string; dir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'vector-files-'));
  roots.push(root);
  const dir = path.join(root, 'vectors', 'tiny');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files))
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { root, dir };
}

async function thrown(work: () => Promise<unknown>): Promise<HarnessError> {
  const error = await work().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof HarnessError)) throw new Error(`expected a HarnessError, got ${String(error)}`);
  return error;
}

const options = (root: string) => ({ rootDir: root, suiteTitle: 'Tiny' });

describe('loadVectorDirectory', () => {
  it('loads every *.json in name order, each vector with its file relative to the project', async () => {
    const { root, dir } = project({
      'b.json': { vectors: [{ id: 'b1' }] },
      'a.json': { vectors: [{ id: 'a1' }, { id: 'a2' }] },
      'notes.txt': 'not a vector file',
    });
    expect(await loadVectorDirectory(dir, options(root), check)).toEqual([
      // The line each vector's object opens on (JSON.stringify(_, null, 2): `{`, `"vectors": [`, then `{`).
      { id: 'a1', source: 'vectors/tiny/a.json', line: 3 },
      { id: 'a2', source: 'vectors/tiny/a.json', line: 6 },
      { id: 'b1', source: 'vectors/tiny/b.json', line: 3 },
    ]);
  });

  it('reports every problem of every file in one error: file, field and fix, counted in the headline', async () => {
    const { root, dir } = project({
      'a.json': { vectors: [{ id: 'x' }, { name: 'no id' }] },
      'b.json': '{\n  "vectors": [\n    { "id": "y" }\n    { "id": "z" }\n  ]\n}\n',
      'c.json': { vectors: [{ id: 'x' }] },
      'd.json': { vectors: [{ id: 'fine' }] },
    });
    const error = await thrown(() => loadVectorDirectory(dir, options(root), check));
    expect(error.code).toBe('HARNESS_VECTORS_INVALID');
    expect(error.message).toBe('3 problems in 3 Tiny vector files');
    expect(error.problems).toEqual([
      { file: 'vectors/tiny/a.json', path: '/vectors/1/id', message: 'must be a string: give the vector an id' },
      {
        file: 'vectors/tiny/b.json',
        path: '',
        message: expect.stringMatching(/^invalid JSON at line 4, column 5: .*: fix the syntax there/) as unknown,
      },
      {
        file: 'vectors/tiny/c.json',
        path: '/vectors/0/id',
        message: 'duplicate id "x" (first in vectors/tiny/a.json): rename it',
      },
    ]);
    // What the CLI prints (exit 2, no stack): the code and headline, then one line a problem.
    expect(error.format().split('\n')).toEqual([
      'HARNESS_VECTORS_INVALID: 3 problems in 3 Tiny vector files',
      '  vectors/tiny/a.json /vectors/1/id: must be a string: give the vector an id',
      expect.stringMatching(/^ {2}vectors\/tiny\/b\.json: invalid JSON at line 4, column 5: /) as unknown,
      '  vectors/tiny/c.json /vectors/0/id: duplicate id "x" (first in vectors/tiny/a.json): rename it',
    ]);
  });

  it('says one problem in one file in the singular', async () => {
    const { root, dir } = project({ 'a.json': { vector: [] } });
    const error = await thrown(() => loadVectorDirectory(dir, options(root), check));
    expect(error.message).toBe('1 problem in 1 Tiny vector file');
  });

  it('names a missing directory, what it is, and the fix', async () => {
    const { root } = project({});
    const error = await thrown(() => loadVectorDirectory(path.join(root, 'vectors/nope'), options(root), check));
    expect(error.code).toBe('HARNESS_VECTORS_INVALID');
    expect(error.message).toBe('cannot read the Tiny vector directory vectors/nope');
    expect(error.problems).toEqual([
      { file: 'vectors/nope', path: '', message: 'not found: create it or fix the vectors path' },
    ]);
  });

  it('names a *.json that is not a file, beside the other problems', async () => {
    const { root, dir } = project({ 'b.json': { vectors: [{ id: 7 }] } });
    mkdirSync(path.join(dir, 'a.json'));
    const error = await thrown(() => loadVectorDirectory(dir, options(root), check));
    expect(error.problems).toEqual([
      { file: 'vectors/tiny/a.json', path: '', message: 'a directory, not a file: check the file name' },
      { file: 'vectors/tiny/b.json', path: '/vectors/0/id', message: 'must be a string: give the vector an id' },
    ]);
  });

  it('returns nothing for an empty directory', async () => {
    const { root, dir } = project({});
    expect(await loadVectorDirectory(dir, options(root), check)).toEqual([]);
  });
});

describe('collectVectorDirectory', () => {
  it("skips the suite's other files, loads kept failures first and a file given twice once", async () => {
    const { root, dir } = project({
      'catalog.json': { profiles: [] },
      'fixed.json': { vectors: [{ id: 'fixed' }] },
      'kept.json': { vectors: [{ id: 'kept' }] },
    });
    const elsewhere = path.join(root, 'regressions.json');
    writeFileSync(elsewhere, JSON.stringify({ vectors: [{ id: 'regression' }] }));
    const problems: Problem[] = [];
    const vectors = await collectVectorDirectory(
      dir,
      { ...options(root), skip: ['catalog.json'], first: [elsewhere, path.join(dir, 'kept.json')] },
      check,
      problems,
    );
    expect(problems).toEqual([]);
    expect(vectors.map((v) => `${v.id} ${v.source}`)).toEqual([
      'regression regressions.json',
      'kept vectors/tiny/kept.json',
      'fixed vectors/tiny/fixed.json',
    ]);
  });

  it('loads only the files named, and keeps the problems for the caller to add its own', async () => {
    const { root, dir } = project({ 'a.json': { vectors: [{ id: 'a' }] }, 'b.json': '{' });
    const problems: Problem[] = [{ file: 'vectors/tiny/catalog.json', path: '/profiles/0', message: 'broken: fix it' }];
    const vectors = await collectVectorDirectory(dir, { ...options(root), files: ['a.json'] }, check, problems);
    expect(vectors).toEqual([{ id: 'a', source: 'vectors/tiny/a.json', line: 3 }]);
    expect(problems).toHaveLength(1);
    const error = await thrown(async () => throwVectorProblems(problems, 'Tiny'));
    expect(error.message).toBe('1 problem in 1 Tiny vector file');
    expect(() => throwVectorProblems([], 'Tiny')).not.toThrow();
  });
});

describe('loadExtraVectorFile (a kept failure to replay)', () => {
  it('loads it with its source, its ids checked against the vectors already loaded', async () => {
    const { root, dir } = project({ 'fixed.json': { vectors: [{ id: 'a' }] } });
    const existing = await loadVectorDirectory(dir, options(root), check);
    const extra = path.join(root, 'kept.json');
    writeFileSync(extra, JSON.stringify({ vectors: [{ id: 'b' }] }));
    expect(await loadExtraVectorFile(extra, root, existing, check)).toEqual([
      { id: 'b', source: 'kept.json', line: 1 },
    ]);

    writeFileSync(extra, JSON.stringify({ vectors: [{ id: 'a' }] }));
    const duplicate = await thrown(() => loadExtraVectorFile(extra, root, existing, check));
    expect(duplicate.format()).toBe(
      'HARNESS_VECTORS_INVALID: 1 problem in kept.json\n' +
        '  kept.json /vectors/0/id: duplicate id "a" (first in vectors/tiny/fixed.json): rename it',
    );
  });

  it('names a missing or broken file and the fix', async () => {
    const { root } = project({});
    const missing = await thrown(() => loadExtraVectorFile(path.join(root, 'gone.json'), root, [], check));
    expect(missing.problems).toEqual([{ file: 'gone.json', path: '', message: 'not found: check the file name' }]);
    writeFileSync(path.join(root, 'bad.json'), '{ "vectors": [ }');
    const broken = await thrown(() => loadExtraVectorFile(path.join(root, 'bad.json'), root, [], check));
    expect(broken.problems[0]?.message).toMatch(/^invalid JSON at line 1, column 16: /);
  });
});

describe('where each vector is written (the github reporter points there)', () => {
  it('finds the line each element of the top-level "vectors" array opens on, whatever the strings hold', () => {
    const text = [
      '{',
      '  "description": "a \\"vectors\\": [ {} ] string, and [brackets] } in text",',
      '  "other": { "vectors": [{ "id": "nested" }] },',
      '  "vectors": [',
      '    { "id": "a", "title": "[{\\"x\\"}]" },',
      '',
      '    {',
      '      "id": "b"',
      '    }, { "id": "c" }',
      '  ]',
      '}',
    ].join('\n');
    expect([...linesOfIds(JSON.parse(text), text)]).toEqual([
      ['a', 5],
      ['b', 7],
      ['c', 9],
    ]);
  });

  it('keys the lines by the id the document holds after renaming, and knows no lines without a vectors array', () => {
    const text = '{"vectors": [\n{"id": "OLD-1"}]}';
    const document = JSON.parse(text) as { vectors: { id: string }[] };
    (document.vectors[0] as { id: string }).id = 'tiny:old-1';
    expect(linesOfIds(document, text).get('tiny:old-1')).toBe(2);
    expect(linesOfIds([1, 2], '[1, 2]').size).toBe(0);
  });

  it("gives a case the vector's file and line, and none for a generated vector", () => {
    expect(caseSourceOf({ source: 'vectors/x.json', line: 4 })).toEqual({
      source: { file: 'vectors/x.json', line: 4 },
    });
    expect(caseSourceOf({ source: 'vectors/x.json' })).toEqual({ source: { file: 'vectors/x.json' } });
    expect(caseSourceOf({ source: 'builder:omission' })).toEqual({});
    expect(caseSourceOf({})).toEqual({});
  });
});
