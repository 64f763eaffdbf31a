/**
 * What an implementation conformance statement may declare for the Open Mobile suite (src/core/ics.ts,
 * docs/ics.md): the choice points, the platforms, methods and capabilities of the adapter protocol, and the
 * order of checks, named as the run-level precedence check names them (checks.ts: the requirement a check
 * enforces, optionally with `:<parameter>`), with the one constraint the reading puts on it.
 */
import type { IcsVocabulary } from '../../src/core/ics.ts';
import { CAPABILITIES, METHODS, PLATFORMS } from '../../protocols/openmobile/types.ts';
import { CHOICE_POINTS } from './choices.ts';

/**
 * Every check the model makes (model.ts, `violated`), by the phase it belongs to: a request-syntax check,
 * the fetch of the profile, or a check of the effective configuration (test/suites/openmobile/ics.test.ts
 * compares this table with the model).
 */
export const CHECK_PHASES: Readonly<Record<string, 'request' | 'fetch' | 'configuration'>> = {
  'OM-CODE-1-IN-PROGRESS': 'request',
  'OM-PARAM-PID-ABSENT': 'request',
  'OM-PARAM-PID-BLANK': 'request',
  'OM-PARAM-BOOL': 'request',
  'OM-PARAM-DECODE': 'request',
  'OM-LEN-USERNAME': 'request',
  'OM-LEN-PASSWORD': 'request',
  'OM-OBFUSCATION': 'request',
  'OM-CODE-30-CUT': 'fetch',
  'OM-CODE-31-TRANSIENT': 'fetch',
  'OM-CODE-32-OFFLINE': 'fetch',
  'OM-CODE-33-NO-PROFILE': 'fetch',
  'OM-CODE-2-INTERNAL': 'fetch',
  'OM-CODE-20-DOMAIN': 'configuration',
  'OM-CODE-21-PREFIX': 'configuration',
  'OM-CODE-22-AUTOLOGIN': 'configuration',
  'OM-CODE-23-PASSWORD-NOT-SAVED': 'configuration',
  'OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN': 'configuration',
};

const CHECKS = Object.keys(CHECK_PHASES);
const inPhase = (...phases: string[]) => CHECKS.filter((c) => phases.includes(CHECK_PHASES[c] ?? ''));

export const OPEN_MOBILE_ICS: IcsVocabulary = {
  suite: 'openmobile',
  choicePoints: CHOICE_POINTS,
  capabilities: CAPABILITIES,
  platforms: PLATFORMS,
  methods: METHODS,
  precedence: {
    checks: CHECKS,
    what: 'the requirement IDs of the checks (OM-LEN-USERNAME; OM-PARAM-BOOL:test for one parameter)',
    rules: [
      {
        earlier: inPhase('request', 'fetch'),
        later: inPhase('configuration'),
        why: 'a check of the effective configuration needs the new profile, so it cannot come before a request-syntax check or the fetch (docs/spec/open-mobile-reading.md, section 5)',
      },
    ],
  },
  derived: [{ point: 'OM-CHOICE-MALFORMED-REJECT-CODE', from: 'OM-CHOICE-MALFORMED-ENCODING', option: 'reject' }],
};
