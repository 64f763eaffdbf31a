/**
 * The builders' own statement of the settings rules, written from the seed and the agreed reading
 * (docs/spec/open-mobile-reading.md, sections 2-5) for the narrow requests the builders generate: a `pid` of a
 * PIN-less production profile (or none, on an activated client), the five settings, `autologin`, and no
 * faults. It is intentionally NOT the suite's model: a later test compares the model with these
 * expectations, so the two must be derived independently.
 */
import type { Catalog, CatalogProfile, Platform, Settings } from '../../../protocols/openmobile/types.ts';
import type { Outcome } from '../types.ts';
import { codePoints, toExpectedState, type PlatformExpectation } from './common.ts';

export const USERNAME_LIMIT = 100;
export const PASSWORD_LIMIT = 64;

/** A saved client: the whole profile (later requests are judged against it) and the settings. */
export interface Saved {
  profile: CatalogProfile | null;
  settings: Settings;
}

/**
 * The request, decoded. `undefined` = parameter omitted, `''` = present and empty. `password` is the
 * plain text (after de-obfuscation).
 */
export type SettingsRequest = {
  pid?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  domain?: string | undefined;
  prefix?: string | undefined;
  autologin?: string | undefined;
};

export type Expectation =
  { ok: true; state: Saved; requirements: string[] } | { ok: false; codes: number[]; requirements: string[] };

export const FRESH: Saved = {
  profile: null,
  settings: { username: null, password: null, domain: null, prefix: null, autologin: null },
};

/** The catalog entry a PIN-less production `pid` selects directly (no Profile Finder in this narrow case). */
export function directProfile(catalog: Catalog, pid: string, platform: Platform): CatalogProfile {
  const found = catalog.profiles.find(
    (p) => String(p.id) === pid && p.platform === platform && p.mode === 'production' && p.pin === null,
  );
  if (found === undefined) {
    throw new Error(
      `builder rules: pid ${pid} has no PIN-less production profile for ${platform} in the catalog; ` +
        "the builders only generate direct selections here (lookups are the lookup builder's job)",
    );
  }
  return found;
}

/**
 * Expected outcome of one successful-fetch request. Codes follow the phase constraint (reading section 5):
 * request-syntax failures (10, 11, length 23) exclude the configuration checks (20, 21, 22, password 23).
 */
export function expectProvision(
  catalog: Catalog,
  platform: Platform,
  saved: Saved,
  request: SettingsRequest,
): Expectation {
  const requirements: string[] = [];
  const requestCodes: number[] = [];

  if (request.pid === '') {
    requestCodes.push(10);
    requirements.push('OM-PARAM-PID-BLANK');
  }
  if (request.autologin !== undefined && request.autologin !== 'Y' && request.autologin !== 'N') {
    requestCodes.push(11);
    requirements.push('OM-PARAM-BOOL');
  }
  if (request.username !== undefined && codePoints(request.username) > USERNAME_LIMIT) {
    requestCodes.push(23);
    requirements.push('OM-LEN-USERNAME');
  }
  if (request.password !== undefined && codePoints(request.password) > PASSWORD_LIMIT) {
    requestCodes.push(23);
    requirements.push('OM-LEN-PASSWORD');
  }
  if (requestCodes.length > 0) {
    return {
      ok: false,
      codes: [...new Set(requestCodes)].sort((a, b) => a - b),
      requirements: ['OM-ATOMIC', ...requirements],
    };
  }

  const activating = request.pid !== undefined;
  let profile: CatalogProfile;
  if (activating) {
    profile = directProfile(catalog, request.pid!, platform);
    requirements.push('OM-ACT-ACTIVATE');
  } else {
    if (saved.profile === null) {
      throw new Error('builder rules: no pid on a fresh client is a choice point (OM-CHOICE-PID-ABSENT-FRESH)');
    }
    profile = saved.profile;
    requirements.push('OM-PARAM-PID-ABSENT');
  }
  const initial = activating && saved.profile === null;

  // Omission: omitted keeps, zero-length erases, anything else replaces.
  const settings: Settings = { ...saved.settings };
  for (const name of ['username', 'password', 'domain', 'prefix'] as const) {
    const value = request[name];
    if (value === undefined) {
      if (saved.settings[name] !== null) requirements.push('OM-OMIT-KEEP');
      continue;
    }
    settings[name] = value === '' ? null : value;
    if (value === '') requirements.push('OM-OMIT-EMPTY-ERASES');
  }
  if (activating && !initial) requirements.push('OM-REACT-KEEPS-SETTINGS');

  // Soft rules (reading section 3). A new profile is any request with a pid.
  if (activating && !profile.savePassword && request.password === undefined && settings.password !== null) {
    settings.password = null;
    requirements.push('OM-SOFT-PASSWORD-REMOVED');
  }
  if (activating && profile.prefixes === null && request.prefix === undefined && settings.prefix !== null) {
    settings.prefix = null;
    requirements.push('OM-SOFT-PREFIX-REMOVED');
  }
  const firstDomain = profile.domains.options[0];
  if (settings.domain === null && firstDomain !== undefined) {
    settings.domain = firstDomain;
    requirements.push('OM-SOFT-DOMAIN-DEFAULT');
  }

  const asked = request.autologin === undefined ? undefined : request.autologin === 'Y';
  if (platform === 'android') {
    // Android has no result 22: a Y the profile does not let the user set is ignored, as if omitted.
    let effective = asked;
    if (asked === true && !profile.autologin.userControl) {
      effective = undefined;
      requirements.push('OM-SOFT-AUTOLOGIN-ANDROID-IGNORED');
    }
    if (effective !== undefined) settings.autologin = effective;
    else if (initial) {
      settings.autologin = false;
      requirements.push('OM-SOFT-AUTOLOGIN-ANDROID-INITIAL');
    }
  } else {
    if (asked !== undefined) settings.autologin = asked;
    else if (initial) {
      settings.autologin = profile.autologin.userControl;
      requirements.push('OM-SOFT-AUTOLOGIN-IOS-INITIAL');
    } else if (activating && !profile.autologin.userControl) {
      settings.autologin = false;
      requirements.push('OM-SOFT-AUTOLOGIN-IOS-FORBIDDEN');
    }
  }

  // Validation of the effective configuration (reading section 4).
  const codes: number[] = [];
  if (settings.domain !== null && !profile.domains.editable && !profile.domains.options.includes(settings.domain)) {
    codes.push(20);
    requirements.push('OM-CODE-20-DOMAIN');
  }
  if (
    settings.prefix !== null &&
    (profile.prefixes === null || (!profile.prefixes.editable && !profile.prefixes.options.includes(settings.prefix)))
  ) {
    codes.push(21);
    requirements.push('OM-CODE-21-PREFIX');
  }
  if (
    platform === 'ios' &&
    asked === true &&
    (!profile.autologin.userControl ||
      settings.username === null ||
      settings.password === null ||
      settings.domain === null)
  ) {
    codes.push(22);
    requirements.push('OM-CODE-22-AUTOLOGIN');
  }
  const passwordRequested = request.password !== undefined && request.password !== '';
  if (passwordRequested && (settings.username === null || settings.domain === null)) {
    codes.push(23);
    requirements.push('OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN');
  }
  if (passwordRequested && !profile.savePassword) {
    codes.push(23);
    requirements.push('OM-CODE-23-PASSWORD-NOT-SAVED');
  }
  if (codes.length > 0) {
    return {
      ok: false,
      codes: [...new Set(codes)].sort((a, b) => a - b),
      requirements: ['OM-ATOMIC', ...requirements],
    };
  }
  return { ok: true, state: { profile, settings }, requirements: ['OM-CODE-0-SUCCESS', ...requirements] };
}

/** Runs setup requests that must all succeed (a vector's `given`); throws naming the one that fails. */
export function expectSetup(
  catalog: Catalog,
  platform: Platform,
  steps: readonly SettingsRequest[],
  start: Saved = FRESH,
): Saved {
  let state = start;
  for (const [index, step] of steps.entries()) {
    const outcome = expectProvision(catalog, platform, state, step);
    if (!outcome.ok) {
      throw new Error(
        `builder rules: setup step ${index + 1} (${JSON.stringify({ ...step, password: step.password === undefined ? undefined : '<redacted>' })}) ` +
          `would fail on ${platform} with ${outcome.codes.join('/')}; a vector's setup must succeed`,
      );
    }
    state = outcome.state;
  }
  return state;
}

/** The vector outcome for an expectation: success with the full state, or the codes with nothing changed. */
export function outcomeOf(expectation: Expectation): PlatformExpectation & { then: Outcome } {
  if (expectation.ok) {
    return {
      then: {
        handled: true,
        result: [0],
        state: toExpectedState(expectation.state.profile, expectation.state.settings),
      },
      requirements: expectation.requirements,
    };
  }
  return {
    then: { handled: true, result: expectation.codes, state: 'unchanged' },
    requirements: expectation.requirements,
  };
}

/**
 * A complete configuration valid for `profile`, as a setup request: username, a password where the
 * profile saves one, its last domain option (or a free domain), its last prefix option (or a free prefix,
 * none where it has no prefix option), and auto-login Y where the user controls it and the credentials are
 * complete (iOS answers 22 otherwise).
 */
export function fullSetup(profile: CatalogProfile): SettingsRequest {
  const request: SettingsRequest = { pid: String(profile.id), username: 'alice' };
  if (profile.savePassword) request.password = 'Secret1';
  request.domain = profile.domains.options[profile.domains.options.length - 1] ?? 'corp.example';
  if (profile.prefixes !== null) {
    request.prefix = profile.prefixes.options[profile.prefixes.options.length - 1] ?? 'FREE/';
  }
  if (profile.autologin.userControl && profile.savePassword) request.autologin = 'Y';
  return request;
}

// ---------------------------------------------------------------------------------------------------------
// Parameter values (reading section 2), for the category-partition builder

/**
 * How a `test` or `autologin` value reads: `Y`/`N` exactly; lower-case `y`/`n` is OM-CHOICE-BOOL-LOWERCASE
 * (accepted as upper case, or 11); anything else (other spellings, whitespace around, empty) is 11.
 */
export type YesNoReading =
  { kind: 'valid'; value: 'Y' | 'N' } | { kind: 'lowercase'; value: 'Y' | 'N' } | { kind: 'invalid' };

export function readYesNo(value: string): YesNoReading {
  if (value === 'Y' || value === 'N') return { kind: 'valid', value };
  if (value === 'y' || value === 'n') return { kind: 'lowercase', value: value === 'y' ? 'Y' : 'N' };
  return { kind: 'invalid' };
}

/** How a `silentmode` or `obfuscation` value reads: `Y`/`N` exactly, else OM-CHOICE-FLAG-VALUE (11, or N). */
export type FlagReading = { kind: 'valid'; value: 'Y' | 'N' } | { kind: 'other' };

export function readFlag(value: string): FlagReading {
  return value === 'Y' || value === 'N' ? { kind: 'valid', value } : { kind: 'other' };
}

/**
 * How a present `pid` reads: blank (10); ASCII decimal digits only (the profile it selects); anything else,
 * including whitespace, signs and decimal digits of other scripts, is OM-CHOICE-PID-NONDECIMAL (10, or 33
 * when the profile service selects nothing for it).
 */
export function readPid(value: string): 'blank' | 'decimal' | 'non-decimal' {
  if (value === '') return 'blank';
  return /^[0-9]+$/.test(value) ? 'decimal' : 'non-decimal';
}

/** Whether the catalog has a test-mode profile for this ID on this platform (what test=Y selects). */
export function hasTestProfile(catalog: Catalog, pid: string, platform: Platform): boolean {
  return catalog.profiles.some((p) => String(p.id) === pid && p.platform === platform && p.mode === 'test');
}
