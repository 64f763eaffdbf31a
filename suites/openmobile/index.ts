/**
 * The Open Mobile client suite: fixed vectors (vectors/openmobile/*.json), generated combinations
 * (builders/), and regressions (vectors/regressions/), turned into one case per route each applies to.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultCommandContext, explainCommand, runTargetCommand } from '../../src/core/commands.ts';
import { HarnessError } from '../../src/core/errors.ts';
import { caseSourceOf, throwVectorProblems } from '../../src/core/vector-files.ts';
import { Redactor } from '../../src/core/redact.ts';
import type { CaseResult } from '../../src/core/results.ts';
import type { FuzzProperty } from '../../src/core/fuzz.ts';
import type {
  PlannedCase,
  RecordedCase,
  Rejudged,
  RejudgeTarget,
  RunCheckContext,
  Suite,
  SuiteLoadContext,
  SuiteRun,
  TargetDeclarations,
} from '../../src/core/suite.ts';
import type {
  Capability,
  Catalog,
  ClientSession,
  ProfileServiceScope,
  Route,
  StartProfileService,
  TargetInfo,
} from '../../protocols/openmobile/types.ts';
import { buildVectors } from './builders/index.ts';
import { disagreement } from './agreement.ts';
import {
  differentialProperty,
  openMobileProperty,
  type OpenMobileFuzzContext,
  type OpenMobilePropertyId,
} from './fuzz.ts';
import { linksPage } from './links.ts';
import { caseEvidence, consistencyResults, recordedEvidence, RUN_CHECKS } from './checks.ts';
import { caseCost, caseCoverage, caseEnds, chainCases, reachesStart, type CaseEnds } from './chains.ts';
import {
  focusUrl,
  freshState,
  rejudgeOpenMobileCase,
  runOpenMobileCase,
  stateKey,
  type LeftState,
  type StartFrom,
  urlSecrets,
  SPECIFICATION,
  type OpenMobileCase,
  type PrecedenceEvidence,
} from './execute.ts';
import { formatDerivation } from './explain.ts';
import { succeeded } from './judge.ts';
import { predict } from './model.ts';
import { CHOICE_POINTS } from './choices.ts';
import { OPEN_MOBILE_ICS } from './ics.ts';
import type { IcsVocabulary } from '../../src/core/ics.ts';
import { REQUIREMENTS } from './requirements.ts';
import { methodsOf, routeId, urlFor } from './routes.ts';
import type {
  ModelState,
  OpenMobileFuzzEnv,
  OpenMobileFuzzOptions,
  OpenMobilePlan,
  OpenMobileSuiteData,
  Vector,
} from './types.ts';
import { CASE_ID_PREFIX, loadCatalog, loadVectorFiles, validateVectors } from './vectors.ts';

export function routesOf(vector: Vector): Route[] {
  const routes: Route[] = [];
  for (const platform of vector.platforms ?? (['ios', 'android'] as const)) {
    for (const method of vector.methods ?? methodsOf(platform)) {
      if (methodsOf(platform).includes(method)) routes.push({ platform, method });
    }
  }
  return routes;
}

/**
 * Every password the case sends, as written, decoded and de-obfuscated (for redacting even a broken case's
 * message, its device artifacts, its title and its explanation). The key itself the runner redacts run-wide.
 */
function caseSecrets(vector: Vector, route: Route, key: string | null): string[] {
  const urls = [...(vector.given ?? []).map((q) => urlFor(route, q)), focusUrl(vector, route)];
  if (vector.when.concurrent !== undefined) urls.push(urlFor(route, vector.when.concurrent));
  return [...new Set(urls.flatMap((url) => urlSecrets(url, key)))];
}

/** A redactor of the case's secrets (and the key). */
function caseRedactor(secrets: readonly string[], key: string | null): Redactor {
  const redactor = new Redactor();
  redactor.add(key);
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

/**
 * Case titles redacted, per set of secrets: the plan's few thousand cases (a vector's title on each of its
 * routes) have under a hundred sets, and compiling a redactor's patterns per case was most of loading the
 * plan, which every shard pays.
 */
const redactedTitles = new Map<string, { redactor: Redactor; titles: Map<string, string> }>();
const TITLE_SETS_KEPT = 1024;

function redactedTitle(title: string, secrets: readonly string[], key: string | null): string {
  const set = `${key ?? ''}\u0000${secrets.join('\u0000')}`;
  let entry = redactedTitles.get(set);
  if (entry === undefined) {
    if (redactedTitles.size >= TITLE_SETS_KEPT) redactedTitles.clear();
    entry = { redactor: caseRedactor(secrets, key), titles: new Map() };
    redactedTitles.set(set, entry);
  }
  let redacted = entry.titles.get(title);
  if (redacted === undefined) {
    redacted = entry.redactor.text(title);
    entry.titles.set(title, redacted);
  }
  return redacted;
}

export function casesOf(vector: Vector): OpenMobileCase[] {
  return keyedCasesOf(vector, null);
}

/** {@link casesOf}, with the obfuscation key: de-obfuscated passwords are secrets too. */
export function keyedCasesOf(vector: Vector, key: string | null): OpenMobileCase[] {
  const needs: Capability[] = [];
  if (vector.when.network === 'offline') needs.push('network');
  if (vector.when.concurrent !== undefined) needs.push('concurrency');
  return routesOf(vector).map((route) => {
    const secrets = caseSecrets(vector, route, key);
    let title: string | undefined;
    return {
      secrets,
      id: `${vector.id}@${routeId(route)}`,
      // `harness list` prints it and every report holds it: a title never quotes a password. Redacted when
      // first read: a shard reads the titles of its own cases only.
      get title(): string {
        title ??= redactedTitle(vector.title, secrets, key);
        return title;
      },
      area: vector.area,
      requirements: vector.requirements,
      route,
      needs,
      ...caseSourceOf(vector),
      // Its setup steps, the request under test and a concurrent one: the shard cost estimate.
      requests: (vector.given?.length ?? 0) + 1 + (vector.when.concurrent === undefined ? 0 : 1),
      vector,
    };
  });
}

/**
 * Where the Open Mobile suite finds its data: the config's `vectors` and `profiles` (its registry entry,
 * src/cli/builtins.ts, passes them on). Default: `<vectorsRoot>/openmobile` and the `profiles.json` in it.
 */
export interface OpenMobilePaths {
  vectorsDir?: string;
  catalogFile?: string;
}

/** Loads fixed vectors, builder output and regressions; every problem of every file at once. */
export async function loadOpenMobile(
  context: SuiteLoadContext & OpenMobilePaths,
  options: { checkAgreement?: boolean; extraFiles?: string[] } = {},
): Promise<OpenMobileSuiteData> {
  const vectorsDir = context.vectorsDir ?? path.join(context.vectorsRoot, 'openmobile');
  const catalogFile = context.catalogFile ?? path.join(vectorsDir, 'profiles.json');
  const rel = (p: string) => path.relative(context.rootDir, p) || p;
  const where = context.configFile ? `in ${context.configFile} (relative to its folder)` : 'in a config file';
  if (!existsSync(catalogFile)) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `profiles: ${rel(catalogFile)} does not exist: set "profiles" ${where} to the catalog file`,
    );
  }
  if (!existsSync(vectorsDir)) {
    throw new HarnessError(
      'HARNESS_CONFIG_INVALID',
      `vectors: ${rel(vectorsDir)} does not exist: set "vectors" ${where} to the vectors directory`,
    );
  }
  const catalog = await loadCatalog(catalogFile, { rootDir: context.rootDir });
  const known = new Set(REQUIREMENTS.map((r) => r.id));
  const renamed = context.renamed ? { renamed: context.renamed } : {};
  const fixed = await loadVectorFiles(vectorsDir, { knownRequirements: known, rootDir: context.rootDir, ...renamed });
  const regressionsDir = context.corpusDir ?? path.join(path.dirname(vectorsDir), 'regressions');
  const regressions = [
    ...(existsSync(regressionsDir)
      ? await loadVectorFiles(regressionsDir, { knownRequirements: known, rootDir: context.rootDir, ...renamed })
      : []),
    ...(options.extraFiles?.length
      ? await loadVectorFiles('', {
          files: options.extraFiles,
          knownRequirements: known,
          rootDir: context.rootDir,
          ...renamed,
        })
      : []),
  ];
  const generated = buildVectors({ catalog, obfuscationKey: context.obfuscationKey });
  const problems = validateVectors(generated, 'suites/openmobile/builders');
  const seen = new Map<string, string>();
  for (const v of [...regressions, ...fixed, ...generated]) {
    const where = seen.get(v.id);
    if (where !== undefined)
      problems.push({
        file: v.source ?? '?',
        path: '',
        message: `vector id "${v.id}" is also used in ${where}: give one of them another id`,
      });
    seen.set(v.id, v.source ?? '?');
  }
  if (problems.length === 0 && options.checkAgreement !== false) {
    // A vector's own expectation must be what the model predicts, or the vector (or the model) is wrong.
    const indexInFile = new Map<Vector, number>();
    const perFile = new Map<string, number>();
    for (const v of [...regressions, ...fixed]) {
      const n = perFile.get(v.source ?? '') ?? 0;
      indexInFile.set(v, n);
      perFile.set(v.source ?? '', n + 1);
    }
    for (const v of [...regressions, ...fixed, ...generated]) {
      if (v.area === 'regressions') continue; // they record an observed failure, not an expectation
      // A hand-written obfuscated password holds only under the key it was written with; the model decodes
      // with the configured key at run time (the project's own tests check these under the example key).
      if (hasObfuscatedPassword(v)) continue;
      for (const route of routesOf(v)) {
        const problem = disagreement(v, route, v.catalog ?? catalog, context.obfuscationKey);
        if (problem === null) continue;
        problems.push({
          file: v.source ?? '?',
          path: indexInFile.has(v) ? `/vectors/${indexInFile.get(v)}/then (${v.id})` : v.id,
          message: `on ${route.platform} ${route.method} the model predicts otherwise: ${problem.replace(/\s+/g, ' ')}. Fix the vector, or see \`${explainCommand(context.commands ?? defaultCommandContext(), `${v.id}@${routeId(route)}`)}\``,
        });
      }
    }
  }
  throwVectorProblems(problems, 'Open Mobile');
  // Regressions run first, so a known failure fails on the first case.
  return { catalog, vectors: [...regressions, ...fixed, ...generated], obfuscationKey: context.obfuscationKey };
}

function hasObfuscatedPassword(v: Vector): boolean {
  const queries = [...(v.given ?? []), v.when.query ?? '', v.when.url ?? '', v.when.concurrent ?? ''];
  return queries.some((q) => /(^|[?&])obfuscation=/.test(q) && /(^|[?&])password=[^&]/.test(q));
}

/** What the registry (src/cli/builtins.ts) gives the suite beside its extra vector files. */
export interface OpenMobileSuiteOptions extends OpenMobilePaths {
  /**
   * Starts the harness's profile service, which every Open Mobile client fetches its profile from: a
   * driver's (drivers/emulated/profile-service.ts), handed in by the registry, since a suite never imports a
   * driver. Without it the suite cannot run cases (`startRun` throws), but lists and explains them.
   */
  startProfileService?: StartProfileService;
}

export class OpenMobileSuite implements Suite<ClientSession, TargetInfo, ProfileServiceScope> {
  readonly name = 'openmobile';
  readonly caseIdPrefix = CASE_ID_PREFIX;
  readonly specification = SPECIFICATION;
  private data: OpenMobileSuiteData | null = null;
  private cases: OpenMobileCase[] = [];
  private byId: Map<string, OpenMobileCase> | null = null;

  /** `extraFiles`: vector files to load beside the configured ones (a failure-corpus file to replay). */
  constructor(
    private readonly extraFiles: string[] = [],
    private readonly options: OpenMobileSuiteOptions = {},
  ) {}

  /** `context` may name the suite's folder and catalog itself (tests); else the registry's paths apply. */
  async load(context: SuiteLoadContext & OpenMobilePaths): Promise<void> {
    const vectorsDir = context.vectorsDir ?? this.options.vectorsDir;
    const catalogFile = context.catalogFile ?? this.options.catalogFile;
    this.data = await loadOpenMobile(
      {
        ...context,
        ...(vectorsDir === undefined ? {} : { vectorsDir }),
        ...(catalogFile === undefined ? {} : { catalogFile }),
      },
      { extraFiles: this.extraFiles },
    );
    const key = this.data.obfuscationKey;
    this.cases = this.data.vectors.flatMap((v) => keyedCasesOf(v, key));
    this.byId = null;
  }

  private loaded(): OpenMobileSuiteData {
    if (this.data === null) throw new Error('OpenMobileSuite used before load()');
    return this.data;
  }

  /** The profile catalog (after `load`): what the harness's profile service serves. */
  profileCatalog(): Catalog {
    return this.loaded().catalog;
  }

  /** The harness's profile service for the run, serving the catalog; a scope of it per chain of cases. */
  async startRun(): Promise<SuiteRun<ProfileServiceScope>> {
    if (this.options.startProfileService === undefined) {
      throw new Error('the Open Mobile suite was created without a profile service (see src/cli/builtins.ts)');
    }
    const service = await this.options.startProfileService(this.profileCatalog());
    return {
      open: () => {
        const scope = service.scope();
        return { scope, close: () => scope.close() };
      },
      stop: () => service.close(),
    };
  }

  list(): PlannedCase[] {
    return this.cases;
  }

  plan(info: TargetInfo, target: TargetDeclarations): OpenMobilePlan {
    const data = this.loaded();
    const cases = this.cases.filter((c) => c.route.platform === info.platform && info.methods.includes(c.route.method));
    // Where each session's client was left by its previous case (resets: 'fewest'); a session the runner
    // replaced (after a broken case) is not in here, so its next case starts from a reset.
    const fewest = target.resets === 'fewest' && info.capabilities.includes('state');
    const left = new WeakMap<object, { at: LeftState; key: string }>();
    const chainContext = { catalog: data.catalog, obfuscationKey: data.obfuscationKey };
    // Predicted once per case: for the chains, then for each case's start.
    const predicted = new Map<string, CaseEnds>();
    const ends = (c: OpenMobileCase): CaseEnds => {
      let found = predicted.get(c.id);
      if (found === undefined) predicted.set(c.id, (found = caseEnds(c, chainContext)));
      return found;
    };
    return {
      cases,
      ...(fewest
        ? {
            chains: (ordered: PlannedCase[]) => chainCases(ordered as OpenMobileCase[], chainContext, ends),
          }
        : {}),
      coverage: (planned) => caseCoverage(planned as OpenMobileCase, chainContext),
      cost: (planned) => caseCost(planned as OpenMobileCase, ends(planned as OpenMobileCase)),
      run: async (planned, env): Promise<CaseResult> => {
        const c = planned as OpenMobileCase;
        const session = env.session as object;
        const previous = left.get(session);
        left.delete(session);
        // Only within a chain (the app was launched with this scope's URL): where this case's given steps would
        // lead from a reset (they are not sent), or from where they lead there too (they are sent).
        const chained = previous !== undefined && previous.at.scopeUrl === env.scope?.url ? previous : undefined;
        const start: StartFrom | null =
          chained === undefined
            ? null
            : chained.key === ends(c).start
              ? chained.at
              : chained.at.planned.route.method === c.route.method &&
                  reachesStart(c, chainContext, chained.at.state, ends(c).start)
                ? { ...chained.at, runGiven: true }
                : null;
        const precedence: PrecedenceEvidence[] = [];
        const { result, left: now } = await runOpenMobileCase(c, env, {
          catalog: data.catalog,
          obfuscationKey: data.obfuscationKey,
          declaredPrecedence: target.precedence,
          onPrecedence: (e) => precedence.push(e),
          start,
        });
        if (fewest && now !== null) left.set(session, { at: now, key: stateKey(c, now.state) });
        // Recorded on the result (results.jsonl), where the run-level checks read it: in this run, and in
        // `harness merge` over every shard.
        const evidence = caseEvidence(precedence);
        if (evidence !== undefined) result.evidence = { ...evidence };
        return result;
      },
      checks: RUN_CHECKS,
      finish: (recorded) =>
        this.runChecks(
          {
            target: target.name,
            info,
            replay: runTargetCommand(target.commands ?? defaultCommandContext(), target.name),
          },
          recorded,
        ),
    };
  }

  /** A recorded case judged again from its observations (execute.ts `rejudgeOpenMobileCase`). */
  rejudge(recorded: CaseResult, target: RejudgeTarget): Rejudged | { skipped: string } {
    const data = this.loaded();
    this.byId ??= new Map(this.cases.map((c) => [c.id, c]));
    const planned = this.byId.get(recorded.id);
    if (planned === undefined) return { skipped: `not a case of the Open Mobile plan: ${recorded.id}` };
    const judged = rejudgeOpenMobileCase(
      planned,
      { catalog: data.catalog, obfuscationKey: data.obfuscationKey, declaredPrecedence: target.precedence },
      recorded,
    );
    if ('skipped' in judged) return judged;
    const { precedence, ...rest } = judged;
    const evidence = caseEvidence(precedence === null ? [] : [precedence]);
    return { ...rest, ...(evidence === undefined ? {} : { evidence: { ...evidence } }) };
  }

  /** Choice consistency and precedence order over a target's recorded results (checks.ts). */
  runChecks(context: RunCheckContext, recorded: readonly RecordedCase[]): CaseResult[] {
    // The info is the target's (TargetInfo) in a run, and as run.json recorded it in a merge.
    const info = context.info as TargetInfo;
    const route: Route = { platform: info.platform, method: info.methods[0] ?? 'url' };
    const { choices, precedence } = recordedEvidence(recorded);
    return consistencyResults(
      { target: context.target, route, specification: SPECIFICATION, replay: context.replay },
      choices,
      precedence,
    );
  }

  readonly fuzzPropertyIds = ['sequences', 'precedence'] as const;

  fuzzProperties(env: OpenMobileFuzzEnv, options: OpenMobileFuzzOptions): FuzzProperty<unknown>[] {
    const data = this.loaded();
    const context = (e: OpenMobileFuzzEnv): OpenMobileFuzzContext => ({
      name: e.target.name,
      session: e.session,
      scope: requireScope(e.scope),
      info: e.info,
      catalog: data.catalog,
      obfuscationKey: data.obfuscationKey,
      declaredPrecedence: e.target.precedence,
    });
    const sequences = {
      concurrency: env.info.capabilities.includes('concurrency'),
      generatedCatalogs: true,
      maxSteps: options.maxSteps ?? 4,
    };
    if (options.against !== undefined) {
      return [differentialProperty(context(env), context(options.against), sequences) as FuzzProperty<unknown>];
    }
    const ids = options.properties ?? this.fuzzPropertyIds;
    return ids.map(
      (id) => openMobileProperty(id as OpenMobilePropertyId, context(env), sequences) as FuzzProperty<unknown>,
    );
  }

  linksPage(cases: PlannedCase[]): { html: string; count: number } {
    return linksPage(cases as OpenMobileCase[], this.loaded(), SPECIFICATION);
  }

  catalogue() {
    return { requirements: REQUIREMENTS, choicePoints: CHOICE_POINTS };
  }

  icsVocabulary(): IcsVocabulary {
    return OPEN_MOBILE_ICS;
  }

  explain(caseId: string): string {
    const data = this.loaded();
    const [vectorId, routePart] = caseId.split('@');
    const matching = this.cases.filter(
      (c) => c.vector.id === vectorId && (routePart === undefined || routeId(c.route) === routePart),
    );
    if (matching.length === 0) {
      throw new HarnessError(
        'HARNESS_CASE_UNKNOWN',
        `no case "${caseId}": run \`npx harness list\` to see the case ids (a vector id alone explains every route)`,
      );
    }
    // The derivation quotes URLs and values: every password of the case is redacted from all of it.
    return matching
      .map((c) => caseRedactor(c.secrets ?? [], data.obfuscationKey).text(explainCase(c, data)))
      .join('\n\n');
  }
}

/** The derivation of every step of a case, setup steps followed along their first successful branch. */
export function explainCase(c: OpenMobileCase, data: OpenMobileSuiteData): string {
  const lines: string[] = [
    `${c.id}: ${c.title}`,
    `  vector ${c.vector.id} from ${c.vector.source ?? '?'}; requirements ${c.requirements.join(', ')}`,
  ];
  let state: ModelState = freshState();
  const base = {
    route: c.route,
    catalog: c.vector.catalog ?? data.catalog,
    network: 'online' as const,
    fault: null,
    obfuscationKey: data.obfuscationKey,
  };
  for (const [i, query] of (c.vector.given ?? []).entries()) {
    const url = urlFor(c.route, query);
    const branches = predict({ ...base, url, state });
    lines.push('', `-- setup step ${i + 1} --`, formatDerivation(branches, { caseId: c.id, url, route: c.route }));
    const ok = branches.find(succeeded);
    if (!ok) {
      lines.push('(the model predicts this setup step fails: the vector is wrong for this route)');
      return lines.join('\n');
    }
    state = ok.state;
  }
  const url = focusUrl(c.vector, c.route);
  const branches = predict({
    ...base,
    url,
    state,
    network: c.vector.when.network ?? 'online',
    fault: c.vector.when.fault ?? null,
  });
  lines.push('', '-- request under test --', formatDerivation(branches, { caseId: c.id, url, route: c.route }));
  if (c.vector.when.concurrent !== undefined) {
    const second = urlFor(c.route, c.vector.when.concurrent);
    lines.push(
      '',
      '-- concurrent request, while the first is in progress --',
      formatDerivation(predict({ ...base, url: second, state, inProgress: true }), {
        caseId: c.id,
        url: second,
        route: c.route,
      }),
    );
  }
  return lines.join('\n');
}

/** Open Mobile clients fetch profiles from the harness's profile service: it runs whenever this suite does. */
function requireScope(scope: ProfileServiceScope | null): ProfileServiceScope {
  if (scope === null) throw new Error("the harness's profile service is not running: Open Mobile needs it");
  return scope;
}
