/**
 * The `openmobile-profiles` suite: an Open Mobile profile server (the profile-service half of the adapter
 * protocol) judged against the portal document (seed 001) and the lookup rules. Its targets are reached by
 * the `profile-service` driver; each session is a connection to the server whose catalog the cases load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../../src/core/errors.ts';
import type { FuzzProperty } from '../../src/core/fuzz.ts';
import type { IcsVocabulary } from '../../src/core/ics.ts';
import type {
  FuzzEnv,
  FuzzOptions,
  PlannedCase,
  Rejudged,
  RejudgeTarget,
  Suite,
  SuiteLoadContext,
  TargetDeclarations,
  TargetPlan,
} from '../../src/core/suite.ts';
import { caseNamed, fixedPlan, requirementInfos } from '../../src/core/suite.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { caseOf, rejudgeProfilesCase, runProfilesCase, type ProfilesCase } from './execute.ts';
import { expectation } from './judge.ts';
import { PROPERTY_IDS, profilesProperty, type ProfilesPropertyId } from './fuzz.ts';
import { CHOICE_POINTS, predict } from './model.ts';
import { REQUIREMENTS } from './requirements.ts';
import { SPECIFICATION, SUITE_NAME, type ModelEntry, type ProfileServerSession, type Vector } from './types.ts';
import { CASE_ID_PREFIX, loadProfileVectors, operationsOf } from './vectors.ts';

export class OpenMobileProfilesSuite implements Suite<ProfileServerSession, BaseTargetInfo> {
  readonly name = SUITE_NAME;
  readonly caseIdPrefix = CASE_ID_PREFIX;
  readonly specification = SPECIFICATION;
  readonly fuzzPropertyIds = PROPERTY_IDS;
  private cases: ProfilesCase[] | null = null;

  /**
   * `extraFiles`: vector files loaded before the suite's own (its kept fuzz failures from
   * `<corpus>/openmobile-profiles/`, a file to replay). `vectorsDir`: read instead of
   * `<vectorsRoot>/openmobile-profiles` (tests).
   */
  constructor(
    private readonly extraFiles: readonly string[] = [],
    private readonly vectorsDir: string | null = null,
  ) {}

  async load(context: SuiteLoadContext): Promise<void> {
    const dir = this.vectorsDir ?? path.join(context.vectorsRoot, SUITE_NAME);
    if (!existsSync(dir)) {
      throw new HarnessError(
        'HARNESS_CONFIG_INVALID',
        `the ${SUITE_NAME} vectors are missing: ${path.relative(context.rootDir, dir) || dir} does not exist (they live beside the Open Mobile vectors directory)`,
      );
    }
    const { vectors } = await loadProfileVectors(dir, context.rootDir, {
      extraFiles: this.extraFiles,
      ...(context.renamed ? { renamed: context.renamed } : {}),
    });
    this.cases = vectors.map(caseOf);
  }

  private loaded(): ProfilesCase[] {
    if (this.cases === null) throw new Error(`${SUITE_NAME} suite used before load()`);
    return this.cases;
  }

  list(): PlannedCase[] {
    return this.loaded();
  }

  /** A recorded case judged again from its recorded exchanges (execute.ts `rejudgeProfilesCase`). */
  rejudge(recorded: CaseResult, target: RejudgeTarget): Promise<Rejudged | { skipped: string }> | { skipped: string } {
    const planned = this.loaded().find((c) => c.id === recorded.id);
    if (planned === undefined) return { skipped: `not a case of the ${SUITE_NAME} plan: ${recorded.id}` };
    return rejudgeProfilesCase(planned, recorded, target);
  }

  plan(_info: BaseTargetInfo, target: TargetDeclarations): TargetPlan<ProfileServerSession, BaseTargetInfo> {
    return fixedPlan(this.loaded(), (planned, env) =>
      runProfilesCase(planned as ProfilesCase, env, target.everyChoice === true),
    );
  }

  fuzzProperties(
    env: FuzzEnv<ProfileServerSession, BaseTargetInfo>,
    options: FuzzOptions<ProfileServerSession, BaseTargetInfo>,
  ): FuzzProperty<unknown>[] {
    const ids = (options.properties ?? PROPERTY_IDS).filter((id): id is ProfilesPropertyId =>
      (PROPERTY_IDS as readonly string[]).includes(id),
    );
    const settings = { maxSteps: options.maxSteps ?? 4, create: env.info.capabilities.includes('create') };
    return ids.map((id) => profilesProperty(id, env.session, settings) as FuzzProperty<unknown>);
  }

  catalogue() {
    return {
      requirements: requirementInfos(REQUIREMENTS),
      choicePoints: CHOICE_POINTS,
    };
  }

  icsVocabulary(): IcsVocabulary {
    // Capabilities: the cases' `needs` (execute.ts, caseOf).
    return { suite: this.name, choicePoints: CHOICE_POINTS, capabilities: ['admin', 'create'] };
  }

  explain(caseId: string): string {
    return explainVector(caseNamed(this.loaded(), caseId).vector);
  }
}

/** Each request of the vector and what the model predicts for it, with the reason. */
export function explainVector(vector: Vector): string {
  const lines = [
    `${vector.id}: ${vector.title}`,
    `  from ${vector.source ?? '?'}; requirements ${vector.requirements.join(', ')}`,
  ];
  let state: ModelEntry[] = [];
  for (const [i, op] of operationsOf(vector).entries()) {
    const prediction = predict(state, op);
    const r =
      op.op === 'put-catalog'
        ? `PUT catalog (${String((op.catalog as { profiles?: unknown[] }).profiles?.length ?? '?')} profiles)`
        : JSON.stringify(op);
    lines.push(`  ${i + 1}. ${r}`, `     -> ${expectation(prediction)} [${prediction.requirement}]`);
    if (prediction.kind === 'replaced' || prediction.kind === 'patched') state = prediction.next;
    if (prediction.kind === 'created') state = prediction.next(Math.max(0, ...state.map((e) => e.id)) + 1);
  }
  return lines.join('\n');
}

/** The suite, for the registry in src/cli/builtins.ts. */
export function createProfilesSuite(extraFiles: readonly string[] = []): OpenMobileProfilesSuite {
  return new OpenMobileProfilesSuite(extraFiles);
}
