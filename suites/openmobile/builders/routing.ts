/**
 * Routing: which scheme and host reach the provisioning facility on each route (reading section 1), in
 * letter-case variants and with or without `.com`. Where the reading leaves it open, the vector lists one
 * alternative per option of the choice points involved; an Android URL-method link without `.com` that is
 * handled anyway is accepted only as a non-strict deviation.
 */
import type { Method, Platform } from '../../../protocols/openmobile/types.ts';
import type { ChoiceOutcome, Outcome, Then, Vector } from '../types.ts';
import { IOS_PROBE_SCHEME } from '../routes.ts';
import { type BuildOptions, generatedId, queryOf, sharedProfiles } from './common.ts';
import { expectProvision, FRESH, fullSetup, outcomeOf, type SettingsRequest } from './rules.ts';

export const SOURCE = 'builder:routing';

/** `handled` / `not-handled` for certain; `choice` when every listed choice point must say `handled`. */
export type Handling =
  { kind: 'handled' } | { kind: 'not-handled' } | { kind: 'choice'; choicePoints: string[] } | { kind: 'non-strict' };

export interface RoutingCase {
  key: string;
  platform: Platform;
  method: Method;
  scheme: string;
  host: string;
  handling: Handling;
  why: string;
}

const HANDLED: Handling = { kind: 'handled' };
const NOT_HANDLED: Handling = { kind: 'not-handled' };
const choice = (...choicePoints: string[]): Handling => ({ kind: 'choice', choicePoints });

export const ROUTING_CASES: readonly RoutingCase[] = [
  // iOS: the `ipass` scheme in any case, host `provision`.
  {
    key: 'IOS-CANONICAL',
    platform: 'ios',
    method: 'url',
    scheme: 'ipass',
    host: 'provision',
    handling: HANDLED,
    why: 'the canonical iOS form',
  },
  {
    key: 'IOS-SCHEME-CAPITAL',
    platform: 'ios',
    method: 'url',
    scheme: 'iPass',
    host: 'provision',
    handling: HANDLED,
    why: 'the seed writes iPass://',
  },
  {
    key: 'IOS-SCHEME-UPPER',
    platform: 'ios',
    method: 'url',
    scheme: 'IPASS',
    host: 'provision',
    handling: HANDLED,
    why: 'the ipass scheme in any case',
  },
  {
    key: 'IOS-SCHEME-MIXED',
    platform: 'ios',
    method: 'url',
    scheme: 'IpAsS',
    host: 'provision',
    handling: HANDLED,
    why: 'the ipass scheme in any case',
  },
  {
    key: 'IOS-HOST-UPPER',
    platform: 'ios',
    method: 'url',
    scheme: 'ipass',
    host: 'PROVISION',
    handling: choice('OM-CHOICE-IOS-HOST-CASE'),
    why: 'host case is implementation-defined',
  },
  {
    key: 'IOS-HOST-CAPITAL',
    platform: 'ios',
    method: 'url',
    scheme: 'ipass',
    host: 'Provision',
    handling: choice('OM-CHOICE-IOS-HOST-CASE'),
    why: 'host case is implementation-defined',
  },
  {
    key: 'IOS-COM',
    platform: 'ios',
    method: 'url',
    scheme: 'ipass',
    host: 'provision.com',
    handling: choice('OM-CHOICE-IOS-PROVISION-COM'),
    why: "the seed's own iOS examples use provision.com",
  },
  {
    key: 'IOS-COM-SEED-FORM',
    platform: 'ios',
    method: 'url',
    scheme: 'iPass',
    host: 'provision.com',
    handling: choice('OM-CHOICE-IOS-PROVISION-COM'),
    why: "exactly the seed's iOS silent-mode form",
  },
  {
    key: 'IOS-COM-HOST-CAPITAL',
    platform: 'ios',
    method: 'url',
    scheme: 'ipass',
    host: 'Provision.com',
    handling: choice('OM-CHOICE-IOS-PROVISION-COM', 'OM-CHOICE-IOS-HOST-CASE'),
    why: 'provision.com and host case, both implementation-defined',
  },
  {
    key: 'IOS-OTHER-CLIENTX',
    platform: 'ios',
    method: 'url',
    scheme: 'clientx',
    host: 'provision',
    handling: NOT_HANDLED,
    why: 'the Android scheme is not registered on iOS',
  },
  {
    key: 'IOS-OTHER-IPASSS',
    platform: 'ios',
    method: 'url',
    scheme: 'ipasss',
    host: 'provision',
    handling: NOT_HANDLED,
    why: 'another scheme',
  },
  {
    key: 'IOS-OTHER-IPAS',
    platform: 'ios',
    method: 'url',
    scheme: 'ipas',
    host: 'provision',
    handling: NOT_HANDLED,
    why: 'another scheme',
  },

  // Android URL method: `.com` is required.
  {
    key: 'ANDROID-URL-CANONICAL',
    platform: 'android',
    method: 'url',
    scheme: 'clientx',
    host: 'provision.com',
    handling: HANDLED,
    why: 'the canonical URL-method form',
  },
  {
    key: 'ANDROID-URL-NO-COM',
    platform: 'android',
    method: 'url',
    scheme: 'clientx',
    host: 'provision',
    handling: { kind: 'non-strict' },
    why: '".com" is required for the URL method',
  },
  {
    key: 'ANDROID-URL-SCHEME-UPPER',
    platform: 'android',
    method: 'url',
    scheme: 'CLIENTX',
    host: 'provision.com',
    handling: choice('OM-CHOICE-ANDROID-URL-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-URL-SCHEME-MIXED',
    platform: 'android',
    method: 'url',
    scheme: 'ClientX',
    host: 'provision.com',
    handling: choice('OM-CHOICE-ANDROID-URL-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-URL-HOST-UPPER',
    platform: 'android',
    method: 'url',
    scheme: 'clientx',
    host: 'PROVISION.COM',
    handling: choice('OM-CHOICE-ANDROID-URL-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-URL-HOST-CAPITAL',
    platform: 'android',
    method: 'url',
    scheme: 'clientx',
    host: 'Provision.com',
    handling: choice('OM-CHOICE-ANDROID-URL-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-URL-OTHER-IPASS',
    platform: 'android',
    method: 'url',
    scheme: 'ipass',
    host: 'provision.com',
    handling: NOT_HANDLED,
    why: "the iOS scheme is not Android's",
  },
  {
    key: 'ANDROID-URL-OTHER-CLIENTXX',
    platform: 'android',
    method: 'url',
    scheme: 'clientxx',
    host: 'provision.com',
    handling: NOT_HANDLED,
    why: 'another scheme',
  },

  // Android intent method: the seed's intent example has no `.com`.
  {
    key: 'ANDROID-INTENT-CANONICAL',
    platform: 'android',
    method: 'intent',
    scheme: 'clientx',
    host: 'provision',
    handling: HANDLED,
    why: "the seed's intent form",
  },
  {
    key: 'ANDROID-INTENT-COM',
    platform: 'android',
    method: 'intent',
    scheme: 'clientx',
    host: 'provision.com',
    handling: choice('OM-CHOICE-INTENT-PROVISION-COM'),
    why: 'provision.com on the intent method is implementation-defined',
  },
  {
    key: 'ANDROID-INTENT-SCHEME-UPPER',
    platform: 'android',
    method: 'intent',
    scheme: 'CLIENTX',
    host: 'provision',
    handling: choice('OM-CHOICE-INTENT-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-INTENT-HOST-UPPER',
    platform: 'android',
    method: 'intent',
    scheme: 'clientx',
    host: 'PROVISION',
    handling: choice('OM-CHOICE-INTENT-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-INTENT-MIXED',
    platform: 'android',
    method: 'intent',
    scheme: 'ClientX',
    host: 'Provision',
    handling: choice('OM-CHOICE-INTENT-CASE'),
    why: 'letter case is implementation-defined',
  },
  {
    key: 'ANDROID-INTENT-COM-HOST-UPPER',
    platform: 'android',
    method: 'intent',
    scheme: 'clientx',
    host: 'PROVISION.com',
    handling: choice('OM-CHOICE-INTENT-PROVISION-COM', 'OM-CHOICE-INTENT-CASE'),
    why: 'provision.com and letter case, both implementation-defined',
  },
  {
    key: 'ANDROID-INTENT-OTHER-IPASS',
    platform: 'android',
    method: 'intent',
    scheme: 'ipass',
    host: 'provision',
    handling: NOT_HANDLED,
    why: "the iOS scheme is not Android's",
  },
  {
    key: 'ANDROID-INTENT-OTHER-CLIENTXX',
    platform: 'android',
    method: 'intent',
    scheme: 'clientxx',
    host: 'provision',
    handling: NOT_HANDLED,
    why: 'another scheme',
  },
];

const ROUTE_REQUIREMENT: Record<string, string> = {
  'ios-url': 'OM-ROUTE-IOS',
  'android-url': 'OM-ROUTE-ANDROID-URL-COM',
  'android-intent': 'OM-ROUTE-ANDROID-INTENT',
};

/**
 * The assignments of `handled` / `not-handled` that decide the outcome, in a fixed order. Once one point
 * says `not-handled` the URL is not handled whatever the later points say, so they are left out of that
 * alternative (a target that rejects the URL never reveals its pick for them).
 */
function assignments(choicePoints: readonly string[]): Record<string, string>[] {
  const [first, ...rest] = choicePoints;
  if (first === undefined) return [{}];
  return [...assignments(rest).map((tail) => ({ [first]: 'handled', ...tail })), { [first]: 'not-handled' }];
}

export function buildRoutingVectors(options: BuildOptions): Vector[] {
  const { catalog } = options;
  const profile = sharedProfiles(catalog)[0];
  if (profile === undefined) return [];
  const requests: { key: string; text: string; request: SettingsRequest }[] = [
    { key: 'BARE', text: 'bare activation', request: { pid: String(profile.id) } },
    { key: 'FULL', text: 'one-shot activation', request: fullSetup(profile) },
  ];
  const vectors: Vector[] = [];
  for (const { key, text, request } of requests) {
    const query = queryOf(request);
    for (const routing of ROUTING_CASES) {
      const handled = outcomeOf(expectProvision(catalog, routing.platform, FRESH, request));
      const notHandled: Outcome = { handled: false, state: 'unchanged' };
      const requirements = [ROUTE_REQUIREMENT[`${routing.platform}-${routing.method}`]!];
      let then: Then;
      switch (routing.handling.kind) {
        case 'handled':
          then = handled.then;
          requirements.push(...handled.requirements);
          break;
        case 'not-handled':
          then = notHandled;
          requirements.push('OM-ROUTE-UNHANDLED-NO-CHANGE');
          break;
        case 'non-strict':
          then = {
            oneOf: [
              { choices: {}, ...notHandled },
              { choices: {}, ...handled.then, nonStrict: true },
            ],
          };
          requirements.push('OM-ROUTE-UNHANDLED-NO-CHANGE', ...handled.requirements);
          break;
        case 'choice': {
          const oneOf: ChoiceOutcome[] = assignments(routing.handling.choicePoints).map((choices) =>
            Object.values(choices).every((option) => option === 'handled')
              ? { choices, ...handled.then }
              : { choices, ...notHandled },
          );
          then = { oneOf };
          requirements.push('OM-ROUTE-UNHANDLED-NO-CHANGE', ...handled.requirements);
          break;
        }
      }
      // iOS results are observed through the harness's probe scheme; an exact URL gets it written in.
      const url =
        routing.platform === 'ios'
          ? `${routing.scheme}://${routing.host}?${query}&resulturlscheme=${IOS_PROBE_SCHEME}`
          : `${routing.scheme}://${routing.host}?${query}`;
      vectors.push({
        id: generatedId(`ROUTING-${routing.key}-${key}`),
        title: `Routing: ${routing.scheme}://${routing.host} on ${routing.platform === 'ios' ? 'iOS' : `Android ${routing.method} method`} (${routing.why}), ${text}`,
        area: 'routing',
        requirements: [...new Set(requirements)].sort(),
        platforms: [routing.platform],
        methods: [routing.method],
        when: { url },
        then,
        source: SOURCE,
      });
    }
  }
  return vectors;
}
