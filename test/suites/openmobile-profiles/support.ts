import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetDriver } from '../../../src/core/driver.ts';
import type { CaseEnv } from '../../../src/core/suite.ts';
import type { BaseTargetInfo } from '../../../src/core/types.ts';
import { createProfileServiceDriver, type ProfileServiceSession } from '../../../drivers/http/openmobile-profiles.ts';
import { OpenMobileProfilesSuite } from '../../../suites/openmobile-profiles/index.ts';
import { caseRandom } from '../../../src/core/random.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function loadedSuite(): Promise<OpenMobileProfilesSuite> {
  const suite = new OpenMobileProfilesSuite();
  await suite.load({
    rootDir: ROOT,
    vectorsRoot: path.join(ROOT, 'vectors'),
    obfuscationKey: null,
  });
  return suite;
}

export function referenceDriver(defects: string[] = []): Promise<TargetDriver<ProfileServiceSession, BaseTargetInfo>> {
  return createProfileServiceDriver({ reference: true, defects }, { rootDir: ROOT, obfuscationKey: null });
}

export function caseEnv(
  session: ProfileServiceSession,
  info: BaseTargetInfo,
  artifacts: 'on-failure' | 'always' = 'on-failure',
): CaseEnv<ProfileServiceSession, BaseTargetInfo> {
  return {
    session,
    scope: null,
    signal: new AbortController().signal,
    info,
    targetName: 'profile-service-reference',
    replay: 'npx harness run --target profile-service-reference',
    artifacts,
    random: caseRandom(1, 'profile-service-reference'),
  };
}
