/**
 * Seeded defects: realistic bugs the emulated clients can be switched into (driver option `defects`), so
 * the harness can be shown to catch them. Each is a small change in the client guarded by
 * `this.defects.has('<id>')`; none of them makes the client crash.
 */
import type { Platform } from '../../protocols/openmobile/types.ts';

export interface Defect {
  id: string;
  title: string;
  platforms: Platform[];
}

const BOTH: Platform[] = ['ios', 'android'];
const IOS: Platform[] = ['ios'];
const ANDROID: Platform[] = ['android'];

const DEFECT_LIST = [
  {
    id: 'username-limit-off-by-one',
    title: 'A 101-character username is accepted (limit checked with > 101)',
    platforms: BOTH,
  },
  {
    id: 'password-limit-off-by-one',
    title: 'A 65-character password is accepted (limit checked with > 65)',
    platforms: BOTH,
  },
  {
    id: 'length-in-bytes',
    title: 'Length limits count UTF-8 bytes instead of characters, so short non-ASCII values get 23',
    platforms: BOTH,
  },
  {
    id: 'partial-write-on-failure',
    title: 'The username is saved even when the request then fails a configuration check (e.g. 23)',
    platforms: BOTH,
  },
  {
    id: 'empty-treated-as-omitted',
    title: 'A zero-length username or domain keeps the saved value instead of erasing it',
    platforms: BOTH,
  },
  {
    id: 'missed-soft-domain-default',
    title: "An empty effective domain is not set to the profile's first domain option",
    platforms: BOTH,
  },
  {
    id: 'missed-soft-password-removal',
    title: 'A new profile that forbids saving the password leaves the saved password in place',
    platforms: BOTH,
  },
  {
    id: 'missed-soft-prefix-removal',
    title: 'A new profile without a prefix option leaves the saved prefix in place (and then fails with 21)',
    platforms: BOTH,
  },
  {
    id: 'ios-autologin-initial-not-set',
    title: "iOS: initial activation leaves auto-login unset instead of Y/N from the profile's user control",
    platforms: IOS,
  },
  {
    id: 'android-autologin-forbidden-honoured',
    title: 'Android: autologin=Y is applied although the profile forbids user control',
    platforms: ANDROID,
  },
  { id: 'transient-as-cut', title: 'A 5xx from the profile service gives 30 instead of 31', platforms: BOTH },
  { id: 'offline-as-no-profile', title: 'No Internet connection gives 33 instead of 32', platforms: BOTH },
  { id: 'test-mode-ignored', title: 'test=Y still fetches the production profile', platforms: BOTH },
  {
    id: 'in-progress-not-refused',
    title: 'A request arriving while another is in progress is processed instead of getting 1',
    platforms: BOTH,
  },
  { id: 'password-in-logs', title: 'The request URL is logged with the password in clear', platforms: BOTH },
  {
    id: 'empty-resulturlscheme-callback',
    title: 'iOS: an empty resulturlscheme still produces a callback (to "://provision?result=...")',
    platforms: IOS,
  },
  {
    id: 'silentmode-ignored',
    title: 'Android: silentmode=Y still brings Open Mobile to the foreground with a dialog and no notification',
    platforms: ANDROID,
  },
  {
    id: 'url-method-without-com-required-on-intent',
    title: 'Android: the intent method requires "provision.com" like the URL method, refusing clientx://provision',
    platforms: ANDROID,
  },
  { id: 'double-decoding', title: 'Parameter values are percent-decoded twice', platforms: BOTH },
  {
    id: 'inconsistent-precedence',
    title:
      "For a request with both an 11 and a length 23 problem, which code wins depends on the request's values (no one order of checks)",
    platforms: BOTH,
  },
  {
    id: 'boolean-trimmed',
    title: 'test and autologin are trimmed before they are compared, so autologin=Y%20 and test=%09N are accepted',
    platforms: BOTH,
  },
  {
    id: 'obfuscation-flag-ignores-case',
    title: 'obfuscation is compared ignoring letter case, so obfuscation=y de-obfuscates the password',
    platforms: BOTH,
  },
  {
    id: 'settings-trimmed',
    title:
      'Leading and trailing whitespace is trimmed from username, domain and prefix before they are checked and saved',
    platforms: BOTH,
  },
  {
    id: 'pid-unicode-digits',
    title:
      'The profile ID is read like Java Integer.parseInt, so non-ASCII decimal digits (pid=٩٩٤٥, fullwidth ９９４５) select profile 9945',
    platforms: BOTH,
  },
  {
    id: 'precedence-flips-with-password',
    title: 'When the request carries a password, the length check runs before every other request check',
    platforms: BOTH,
  },
  {
    id: 'precedence-flips-with-test',
    title: 'A request that carries test (Y or N) checks the prefix before the domain; without it the domain first',
    platforms: BOTH,
  },
  {
    id: 'precedence-flips-with-obfuscation',
    title: 'With obfuscation=Y the configuration checks run in the reverse of their usual order',
    platforms: BOTH,
  },
  {
    id: 'fragment-in-query',
    title: 'The query is read up to the end of the URL, so a fragment (#...) becomes part of the last value',
    platforms: BOTH,
  },
  {
    id: 'names-trimmed',
    title: 'Parameter names are percent-decoded and trimmed of whitespace, so %20pid= and username%20= are read',
    platforms: BOTH,
  },
  {
    id: 'names-ignore-case',
    title:
      'Android: parameter names are matched in any letter case, so PID= is read as pid (Table 3: "case-sensitive")',
    platforms: ANDROID,
  },
  {
    id: 'empty-name-ends-query',
    title: 'Reading stops at the first parameter without a name (=x), so the parameters after it are lost',
    platforms: BOTH,
  },
  {
    id: 'password-value-ends-at-semicolon',
    title:
      'The password is read with its own pattern that stops at ";", while the other parameters run to "&": ";" read two ways',
    platforms: BOTH,
  },
] as const satisfies readonly Defect[];

export type DefectId = (typeof DEFECT_LIST)[number]['id'];

export const DEFECTS: readonly { id: string; title: string; platforms: ('ios' | 'android')[] }[] = DEFECT_LIST;

const IDS: ReadonlySet<string> = new Set(DEFECT_LIST.map((d) => d.id));

export function isDefectId(id: string): id is DefectId {
  return IDS.has(id);
}

/** The defects that exist on `platform`. */
export function defectsFor(platform: Platform): readonly Defect[] {
  return DEFECTS.filter((d) => d.platforms.includes(platform));
}
