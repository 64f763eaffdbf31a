import type { CaseResult } from '../core/results.ts';
import type { PlannedCase } from '../core/suite.ts';

function base(planned: PlannedCase, target: string, specification: string, replay: string) {
  return {
    id: planned.id,
    title: planned.title,
    target,
    specification,
    ...(planned.route ? { route: planned.route } : {}),
    area: planned.area,
    requirements: planned.requirements,
    parameters: planned.route ? { platform: planned.route.platform, method: planned.route.method } : {},
    choices: {},
    steps: [],
    attachments: [],
    replay,
  };
}

export function notApplicableResult(
  planned: PlannedCase,
  target: string,
  specification: string,
  missing: readonly string[],
  replay: string,
  /** The conformance statement's capabilities (`harness.ics.json /suites/x/capabilities`) when they left them out. */
  declaredBy: string | null = null,
): CaseResult {
  const now = Date.now();
  return {
    ...base(planned, target, specification, replay),
    verdict: 'not-applicable',
    message: `needs the ${missing.join(', ')} capabilit${missing.length === 1 ? 'y' : 'ies'}, which ${declaredBy ?? target} does not declare`,
    missing: [...missing],
    start: now,
    stop: now,
  };
}

export function brokenResult(
  planned: PlannedCase,
  target: string,
  specification: string,
  reason: string,
  replay: string,
  start: number,
): CaseResult {
  return {
    ...base(planned, target, specification, replay),
    verdict: 'broken',
    category: 'broken-target',
    message: reason,
    start,
    stop: Date.now(),
  };
}
