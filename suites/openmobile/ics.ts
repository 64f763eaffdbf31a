/**
 * What an implementation conformance statement may declare for the Open Mobile suite (src/core/ics.ts,
 * docs/ics.md): the choice points, the platforms, methods and capabilities of the adapter protocol, and the
 * order of checks in result codes, with the one constraint the reading puts on it.
 */
import type { IcsVocabulary } from '../../src/core/ics.ts';
import { CAPABILITIES, METHODS, PLATFORMS } from '../../protocols/openmobile/types.ts';
import { CHOICE_POINTS } from './choices.ts';
import { SPEC_RESULT_CODES } from './vectors.ts';

/** Every result code but 0 (success is no check), as an order of checks names them. */
const CHECKS = [...SPEC_RESULT_CODES].filter((code) => code !== 0).map(String);

export const OPEN_MOBILE_ICS: IcsVocabulary = {
  suite: 'openmobile',
  choicePoints: CHOICE_POINTS,
  capabilities: CAPABILITIES,
  platforms: PLATFORMS,
  methods: METHODS,
  precedence: {
    checks: CHECKS,
    what: 'result codes',
    rules: [
      {
        // docs/spec/open-mobile-reading.md, section 5. 23 is on neither side: its length part is a request
        // check, its password part a configuration check.
        earlier: ['10', '11', '30', '31', '32', '33'],
        later: ['20', '21', '22'],
        why: 'checks of the effective configuration (20, 21, 22) need the new profile, so they cannot come before a request-syntax failure (10, 11) or a fetch failure (30, 31, 32, 33) (docs/spec/open-mobile-reading.md, section 5)',
      },
    ],
  },
  derived: [{ point: 'OM-CHOICE-MALFORMED-REJECT-CODE', from: 'OM-CHOICE-MALFORMED-ENCODING', option: 'reject' }],
};
