/**
 * Seeded defects of the reference profile service: each one is a plausible server bug that the
 * `openmobile-profiles` suite must catch. All are off unless a target's options switch them on.
 */

export interface ProfileServiceDefect {
  id: string;
  /** What the server then does wrong, in words. */
  description: string;
  /** Where the defect lives: the lookup or the catalog administration. */
  where: 'lookup' | 'admin';
}

export const PROFILE_SERVICE_DEFECTS = [
  {
    id: 'empty-pin-not-none',
    description: 'an empty pin= is taken as a PIN, so a profile without PIN is not selected by it',
    where: 'lookup',
  },
  {
    id: 'pin-case-insensitive',
    description: 'PINs are compared without regard to letter case',
    where: 'lookup',
  },
  {
    id: 'pin-optional',
    description: 'a profile with a PIN is selected when the request has no PIN',
    where: 'lookup',
  },
  {
    id: 'finder-non-favorite',
    description: "the Profile Finder selects the company's first profile for the platform, favorite or not",
    where: 'lookup',
  },
  {
    id: 'test-falls-back-to-production',
    description: 'a test-mode lookup of an ID without a test revision answers the production profile',
    where: 'lookup',
  },
  {
    id: 'forbidden-chars-partial',
    description: 'the PIN check rejects only the URL delimiters (space & = ? #), not the other forbidden characters',
    where: 'admin',
  },
  {
    id: 'favorite-with-pin-accepted',
    description: 'a favorite profile with a PIN is accepted',
    where: 'admin',
  },
  {
    id: 'pin-change-after-publish',
    description: 'a PATCH changes the PIN of a profile already published to test or production',
    where: 'admin',
  },
  {
    id: 'partial-catalog-on-422',
    description: 'a rejected catalog (422) still replaces the catalog with the profiles before the bad one',
    where: 'admin',
  },
  {
    id: 'create-id-reused',
    description: 'a created profile gets the highest ID already in use instead of a new one',
    where: 'admin',
  },
] as const satisfies readonly ProfileServiceDefect[];

export type ProfileServiceDefectId = (typeof PROFILE_SERVICE_DEFECTS)[number]['id'];

export function isProfileServiceDefectId(id: string): id is ProfileServiceDefectId {
  return PROFILE_SERVICE_DEFECTS.some((d) => d.id === id);
}
