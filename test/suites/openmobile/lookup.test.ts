import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../protocols/openmobile/types.ts';
import { lookupExplained, lookupProfile } from '../../../suites/openmobile/lookup.ts';

const catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;

describe('profile lookup (docs/profile-service.md)', () => {
  it('selects by id, platform and mode; returns the profile without pin, favorite, note', () => {
    const p = lookupProfile(catalog, { pid: '9945', platform: 'ios', mode: 'production', pin: null });
    expect(p).toEqual({
      id: 9945,
      company: 'mycorp',
      platform: 'ios',
      mode: 'production',
      domains: { options: ['mycorp.com'], editable: false },
      prefixes: null,
      savePassword: true,
      autologin: { userControl: true, default: false },
    });
  });

  it('PIN rules: exact match for a PIN profile; none (or empty) for a profile without', () => {
    const q = { pid: '12345', platform: 'android', mode: 'production' } as const;
    expect(lookupProfile(catalog, { ...q, pin: 'abc1234' })?.id).toBe(12345);
    expect(lookupProfile(catalog, { ...q, pin: 'ABC1234' })).toBeNull();
    expect(lookupProfile(catalog, { ...q, pin: null })).toBeNull();
    expect(lookupProfile(catalog, { ...q, pin: '' })).toBeNull();
    expect(lookupProfile(catalog, { ...q, pid: '13144', pin: '' })?.id).toBe(13144);
    expect(lookupProfile(catalog, { ...q, pid: '13144', pin: '1' })).toBeNull();
  });

  it('mode: test selects the test revision only', () => {
    expect(
      lookupProfile(catalog, { pid: '20005', platform: 'ios', mode: 'test', pin: 'Zx9k' })?.domains.options,
    ).toEqual(['test.acme.example']);
    expect(lookupProfile(catalog, { pid: '9945', platform: 'ios', mode: 'test', pin: null })).toBeNull();
    expect(lookupProfile(catalog, { pid: '112665', platform: 'android', mode: 'production', pin: '1111' })).toBeNull();
  });

  it('the Profile Finder: another platform selects the company favorite, without PIN check', () => {
    const found = lookupExplained(catalog, { pid: '30101', platform: 'ios', mode: 'production', pin: 'whatever' });
    expect(found.how).toBe('profile-finder');
    expect(found.profile?.id).toBe(30002);
    expect(lookupProfile(catalog, { pid: '30102', platform: 'android', mode: 'production', pin: null })?.id).toBe(
      30001,
    );
    expect(lookupExplained(catalog, { pid: '30201', platform: 'ios', mode: 'production', pin: null }).how).toBe('none');
  });

  it('a pid that is not a decimal number or not in the catalog selects nothing', () => {
    for (const pid of ['', '99a', '-1', ' 9945', '9945 ', '1e3', '424242']) {
      expect(lookupProfile(catalog, { pid, platform: 'ios', mode: 'production', pin: null }), pid).toBeNull();
    }
    expect(lookupProfile(catalog, { pid: '009945', platform: 'ios', mode: 'production', pin: null })?.id).toBe(9945);
  });
});
