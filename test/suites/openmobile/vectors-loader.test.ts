import { createDecipheriv } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HarnessError, type Problem } from '../../../src/core/errors.ts';
import { methodsOf } from '../../../suites/openmobile/routes.ts';
import type { Vector } from '../../../suites/openmobile/types.ts';
import { loadCatalog, loadVectorFiles, validateVectors } from '../../../suites/openmobile/vectors.ts';
import { PUBLISHED_REQUIREMENT_IDS } from './published-requirements.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/vectors-invalid');
const VECTORS = path.join(ROOT, 'vectors/openmobile');
const FIXTURE = 'test/fixtures/vectors-invalid';

const REQUIREMENTS = new Set(PUBLISHED_REQUIREMENT_IDS);

async function loadError(run: () => Promise<unknown>): Promise<HarnessError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError, nothing was thrown');
}

function find(problems: Problem[], file: string, pointer: string): Problem[] {
  return problems.filter((p) => p.file === `${FIXTURE}/${file}` && p.path === pointer);
}

describe('loadVectorFiles on broken files', () => {
  const load = (): Promise<HarnessError> =>
    loadError(() => loadVectorFiles(FIXTURES, { knownRequirements: REQUIREMENTS, rootDir: ROOT }));

  it('reports every problem of every file in one HARNESS_VECTORS_INVALID error', async () => {
    const error = await load();
    expect(error.code).toBe('HARNESS_VECTORS_INVALID');
    expect(error.message).toBe('19 problems in 3 Open Mobile vector files');
    expect(error.problems).toHaveLength(19);
    expect(new Set(error.problems.map((p) => p.file))).toEqual(
      new Set([`${FIXTURE}/a-fields.json`, `${FIXTURE}/b-syntax.json`, `${FIXTURE}/c-semantics.json`]),
    );
    // profiles.json is the catalog, never read as vectors; d-valid.json is correct.
    expect(error.problems.some((p) => p.file.endsWith('profiles.json') || p.file.endsWith('d-valid.json'))).toBe(false);
  });

  it('says what is wrong and the fix for schema mistakes', async () => {
    const { problems } = await load();
    expect(find(problems, 'a-fields.json', '/vectors/1/platforms/0')).toEqual([
      {
        file: `${FIXTURE}/a-fields.json`,
        path: '/vectors/1/platforms/0',
        message: 'must be one of "ios", "android": change "iOS" to "ios"',
      },
    ]);
    const typo = find(problems, 'a-fields.json', '/vectors/0/requirement');
    expect(typo).toHaveLength(1);
    expect(typo[0]?.message).toMatch(
      /^unknown property "requirement": rename it to "requirements"; allowed here: "id", "title", "area", "requirements"/,
    );
    // The misspelling is one mistake, so "missing requirements" is not reported beside it.
    expect(find(problems, 'a-fields.json', '/vectors/0')).toEqual([]);
    expect(find(problems, 'a-fields.json', '/vectors/2/when')[0]?.message).toBe(
      'has both "query" and "url": keep exactly one',
    );
    expect(find(problems, 'a-fields.json', '/vectors/2/then/result/1')[0]?.message).toBe(
      'must be a result code from 0 to 33, got 34: change it',
    );
    expect(find(problems, 'a-fields.json', '/vectors/3/id')[0]?.message).toBe(
      '"om:Fix_Lower" must match ^om:[a-z0-9]+(-[a-z0-9]+)*$: change it to "om:fix-lower"',
    );
    expect(find(problems, 'a-fields.json', '/vectors/3/then/state/settings/username')[0]?.message).toMatch(
      /write null$/,
    );
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const { problems } = await load();
    const syntax = find(problems, 'b-syntax.json', '');
    expect(syntax).toHaveLength(1);
    expect(syntax[0]?.message).toMatch(/^invalid JSON at line 4, column 7: .+: fix the syntax there/);
  });

  it('checks the rules the schema cannot express', async () => {
    const { problems } = await load();
    const messages = (pointer: string): string[] => find(problems, 'c-semantics.json', pointer).map((p) => p.message);
    expect(messages('/vectors/0/id')).toEqual([
      `duplicate vector id "om:fix-typo" (already used in ${FIXTURE}/a-fields.json at /vectors/0/id): give this vector a new id`,
    ]);
    expect(messages('/vectors/1')).toEqual([
      'a vector with "when.url" must name its platforms: add "platforms": ["ios"] or ["android"]',
      'a vector with "when.url" must name its methods: add "methods": ["url"] or ["intent"]',
    ]);
    expect(messages('/vectors/2/methods/0')[0]).toMatch(/intent is Android only/);
    expect(messages('/vectors/3/requirements/0')).toEqual([
      'unknown requirement "OM-ATOMICITY": did you mean "OM-ATOMIC"?',
    ]);
    expect(messages('/vectors/3/when/query')).toEqual([
      'a query has no leading "?": change "?pid=99999" to "pid=99999"',
    ]);
    expect(messages('/vectors/3/then/state')).toEqual([
      'a failing request (result 33) leaves the state as it was: write "state": "unchanged"',
    ]);
    expect(messages('/vectors/4/then/oneOf/0/result')).toEqual([
      'a request that is not handled reports no result: remove "result"',
    ]);
    expect(messages('/vectors/4/then/oneOf/0/state')).toHaveLength(1);
    // The non-strict alternative of the same vector is a correct handled outcome.
    expect(messages('/vectors/4/then/oneOf/1/state')).toEqual([]);
    expect(messages('/vectors/5/then/result/0')[0]).toMatch(/^Android has no result 22/);
    expect(messages('/vectors/5/then/delivery/callbackUrl')[0]).toMatch(/^a callback URL is iOS only/);
  });

  it('formats every problem on its own line with file and pointer', async () => {
    const text = (await load()).format();
    expect(text.split('\n')[0]).toBe('HARNESS_VECTORS_INVALID: 19 problems in 3 Open Mobile vector files');
    expect(text).toContain(
      `  ${FIXTURE}/a-fields.json /vectors/1/platforms/0: must be one of "ios", "android": change "iOS" to "ios"`,
    );
  });

  it('reports a missing directory as a problem, not a crash', async () => {
    const error = await loadError(() => loadVectorFiles(path.join(ROOT, 'vectors/no-such-suite'), { rootDir: ROOT }));
    expect(error.code).toBe('HARNESS_VECTORS_INVALID');
    expect(error.problems[0]).toMatchObject({
      file: 'vectors/no-such-suite',
      message: 'not found: create it or fix the vectors path',
    });
  });

  it('reports a file that is valid JSON but not an object', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vectors-'));
    try {
      await writeFile(path.join(dir, 'null.json'), 'null\n');
      const error = await loadError(() => loadVectorFiles(dir, { rootDir: dir }));
      expect(error.problems).toEqual([
        { file: 'null.json', path: '', message: expect.stringMatching(/^must be an object, got null/) as unknown },
      ]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('returns nothing for an empty directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vectors-'));
    try {
      await expect(loadVectorFiles(dir)).resolves.toEqual([]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('the real Open Mobile vectors', () => {
  const loadAll = (): Promise<Vector[]> => loadVectorFiles(VECTORS, { knownRequirements: REQUIREMENTS, rootDir: ROOT });

  it('load without problems, each with its source file', async () => {
    const vectors = await loadAll();
    expect(vectors.length).toBeGreaterThanOrEqual(120);
    for (const v of vectors) expect(v.source).toMatch(/^vectors\/openmobile\/[a-z-]+\.json$/);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });

  it('cover every requirement of the brief', async () => {
    const used = new Set((await loadAll()).flatMap((v) => v.requirements));
    expect([...REQUIREMENTS].filter((r) => !used.has(r))).toEqual([]);
  });

  it('name every choice point with an option the reading notes permit', async () => {
    const options: Record<string, string[]> = {
      'OM-CHOICE-IOS-PROVISION-COM': ['handled', 'not-handled'],
      'OM-CHOICE-IOS-HOST-CASE': ['handled', 'not-handled'],
      'OM-CHOICE-ANDROID-URL-CASE': ['handled', 'not-handled'],
      'OM-CHOICE-INTENT-PROVISION-COM': ['handled', 'not-handled'],
      'OM-CHOICE-INTENT-CASE': ['handled', 'not-handled'],
      'OM-CHOICE-PATH': ['not-handled', 'handled'],
      'OM-CHOICE-PLUS': ['literal', 'space'],
      'OM-CHOICE-REPEATED': ['first', 'last'],
      'OM-CHOICE-ENCODED-NAME': ['decoded', 'literal'],
      'OM-CHOICE-IOS-NAME-CASE': ['sensitive', 'insensitive'],
      'OM-CHOICE-SEMICOLON': ['literal', 'separator'],
      'OM-CHOICE-BARE-NAME': ['empty', 'absent'],
      'OM-CHOICE-MALFORMED-ENCODING': ['lenient', 'not-handled', 'raw', 'reject'],
      'OM-CHOICE-MALFORMED-REJECT-CODE': ['parameter', '2'],
      'OM-CHOICE-PID-NONDECIMAL': ['10', '33'],
      'OM-CHOICE-PID-ABSENT-FRESH': ['10', '33'],
      'OM-CHOICE-BOOL-LOWERCASE': ['accept', '11'],
      'OM-CHOICE-FLAG-VALUE': ['11', 'N'],
      'OM-CHOICE-OBFUSCATION-UNDECODABLE': ['23', '2'],
      'OM-CHOICE-ASTRAL-LENGTH': ['code-points', 'utf16'],
      'OM-CHOICE-IOS-SILENTMODE': ['ignored', 'honoured'],
      'OM-CHOICE-SERVICE-OFFLINE': ['30', '32'],
      'OM-CHOICE-SERVICE-STATUS': ['2', '31', '33', '30'],
    };
    const wrong: string[] = [];
    for (const v of await loadAll()) {
      if (!('oneOf' in v.then)) continue;
      for (const alternative of v.then.oneOf) {
        for (const [id, option] of Object.entries(alternative.choices)) {
          if (!options[id]?.includes(option)) wrong.push(`${v.id}: ${id}=${option}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('carry obfuscated passwords that decode, under the example key, to the password they expect to be saved', async () => {
    // The key from the brief; the harness's configuration supplies the same one to clients.
    const key = Buffer.from('8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463', 'hex');
    let checked = 0;
    for (const v of await loadAll()) {
      const query = v.when.query;
      if (!query || !query.includes('obfuscation=Y') || 'oneOf' in v.then) continue;
      const state = v.then.state;
      if (!state || state === 'unchanged' || state.settings.password === null) continue;
      const hex = new URLSearchParams(query).get('password') ?? '';
      const decipher = createDecipheriv('aes-256-ecb', key, null);
      const plain = Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]).toString('utf8');
      expect(plain, v.id).toBe(state.settings.password);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('run only on routes that exist', async () => {
    for (const v of await loadAll()) {
      const platforms = v.platforms ?? ['ios', 'android'];
      const routes = platforms.flatMap((p) => methodsOf(p).filter((m) => !v.methods || v.methods.includes(m)));
      expect(routes.length, v.id).toBeGreaterThan(0);
    }
  });
});

describe('validateVectors', () => {
  const valid: Vector = {
    id: 'om:built-1',
    title: 'built in code',
    area: 'omission',
    requirements: ['OM-OMIT-KEEP'],
    when: { query: 'pid=9945' },
    then: { handled: true, result: [0] },
    source: 'builder:omission',
  };

  it("accepts correct builder output (source is the builder's, not a schema field)", () => {
    expect(validateVectors([valid], 'builder:omission', { knownRequirements: REQUIREMENTS })).toEqual([]);
  });

  it('reports builder mistakes with the builder as the file', () => {
    const broken = { ...valid, id: 'om:built-2', platforms: ['iOS'] } as unknown as Vector;
    const problems = validateVectors([valid, broken, { ...valid }], 'builder:omission');
    expect(problems).toEqual([
      {
        file: 'builder:omission',
        path: '/vectors/1/platforms/0',
        message: 'must be one of "ios", "android": change "iOS" to "ios"',
      },
      {
        file: 'builder:omission',
        path: '/vectors/2/id',
        message:
          'duplicate vector id "om:built-1" (already used in builder:omission at /vectors/0/id): give this vector a new id',
      },
    ]);
  });
});

describe('loadCatalog', () => {
  it('loads the real catalog', async () => {
    const catalog = await loadCatalog(path.join(VECTORS, 'profiles.json'));
    expect(catalog.profiles.length).toBeGreaterThan(20);
    expect(catalog.profiles.find((p) => p.id === 12345 && p.platform === 'ios')?.pin).toBe('abc1234');
    expect(Object.keys(catalog)).toEqual(['profiles']);
  });

  it('reports schema mistakes and portal rules of a broken catalog at once', async () => {
    const error = await loadError(() => loadCatalog(path.join(FIXTURES, 'profiles.json'), { rootDir: ROOT }));
    expect(error.message).toBe(`5 problems in profile catalog ${FIXTURE}/profiles.json`);
    const byPath = Object.fromEntries(error.problems.map((p) => [p.path, p.message]));
    expect(byPath['/profiles/2/platform']).toBe('must be one of "ios", "android": change "Android" to "android"');
    expect(byPath['/profiles/2/notes']).toMatch(/^unknown property "notes": rename it to "note"/);
    expect(byPath['/profiles/2/domains']).toMatch(/^missing property "editable"/);
    expect(byPath['/profiles/0/pin']).toMatch(/set "pin": null$/);
    expect(byPath['/profiles/1']).toMatch(/already defined at \/profiles\/0/);
  });

  it('reports a JSON syntax error with its position', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'catalog-'));
    try {
      const file = path.join(dir, 'profiles.json');
      await writeFile(file, '{\n  "profiles": [\n    { "id": 1 }\n    { "id": 2 }\n  ]\n}\n');
      const error = await loadError(() => loadCatalog(file, { rootDir: dir }));
      expect(error.problems).toEqual([
        {
          file: 'profiles.json',
          path: '',
          message: expect.stringMatching(/^invalid JSON at line 4, column 5: /) as unknown,
        },
      ]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
