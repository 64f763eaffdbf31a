import { describe, expect, it } from 'vitest';
import { FORBIDDEN_PIN_CHARACTERS, modelCatalog, predict } from '../../../suites/openmobile-profiles/model.ts';
import type { ModelEntry, PortalProfile } from '../../../suites/openmobile-profiles/types.ts';

function profile(id: number, extra: Partial<PortalProfile> = {}): PortalProfile {
  return {
    id,
    company: 'acme',
    platform: 'android',
    mode: 'production',
    pin: null,
    favorite: false,
    domains: { options: ['acme.example'], editable: false },
    prefixes: null,
    savePassword: true,
    autologin: { userControl: true, default: false },
    ...extra,
  };
}

describe('openmobile-profiles model', () => {
  it("defaults published to the entry's mode", () => {
    const [prod, test] = modelCatalog([profile(1), profile(1, { mode: 'test' })]) as [ModelEntry, ModelEntry];
    expect(prod.published).toBe('production');
    expect(test.published).toBe('test');
  });

  it('lists every violation of a catalog, so a server may name any one', () => {
    const p = predict([], {
      op: 'put-catalog',
      catalog: { profiles: [profile(1, { pin: 'a b', favorite: true }), profile(2, { favorite: true })] },
    });
    expect(p.kind).toBe('rejected');
    if (p.kind !== 'rejected') return;
    // The favorite rules read only who an entry is: they hold whatever else is wrong with it, and a rule
    // of two entries (or two fields) may be reported on either.
    expect(p.violations.map((v) => `${String(v.id)}/${v.field}/${v.requirement}`)).toEqual([
      '1/pin/OMP-PIN-FORBIDDEN-CHARS',
      '1/pin/OMP-FAVORITE-NO-PIN',
      '1/favorite/OMP-FAVORITE-NO-PIN',
      '2/favorite/OMP-FAVORITE-ONE',
      '1/favorite/OMP-FAVORITE-ONE',
    ]);
    const q = predict([], {
      op: 'put-catalog',
      catalog: { profiles: [profile(1, { pin: 'ab', favorite: true }), profile(2, { favorite: true })] },
    });
    expect(q.kind === 'rejected' && q.violations.map((v) => `${String(v.id)}/${v.field}`)).toEqual([
      '1/pin',
      '1/favorite',
      '2/favorite',
      '1/favorite',
    ]);
  });

  it('forbids every character of the seed and the typographic quotes', () => {
    for (const c of ' $&+%@\',/:;=?"><#\u2018\u201c') expect(FORBIDDEN_PIN_CHARACTERS).toContain(c);
    for (const c of '-_.!*~aZ9') expect(FORBIDDEN_PIN_CHARACTERS).not.toContain(c);
  });

  it('freezes the PIN once published, judged on the state before the PATCH', () => {
    const draft = modelCatalog([profile(5, { pin: 'p1', published: 'draft' })]);
    expect(predict(draft, { op: 'patch', id: '5', body: { pin: 'p2', published: 'test' } }).status).toBe(200);
    const test = modelCatalog([profile(5, { pin: 'p1', published: 'test' })]);
    expect(predict(test, { op: 'patch', id: '5', body: { pin: 'p2' } }).status).toBe(422);
    expect(predict(test, { op: 'patch', id: '5', body: { pin: 'p1' } }).status).toBe(200);
  });

  it('needs platform and mode to PATCH an ID with several entries', () => {
    const catalog = modelCatalog([profile(7), profile(7, { platform: 'ios' })]);
    expect(predict(catalog, { op: 'patch', id: '7', body: {} }).status).toBe(400);
    expect(predict(catalog, { op: 'patch', id: '7', platform: 'ios', body: { note: 'x' } }).status).toBe(200);
    expect(predict(catalog, { op: 'patch', id: '07x', body: {} }).status).toBe(404);
  });

  it('creates with a generated ID the answer supplies', () => {
    const catalog = modelCatalog([profile(7)]);
    const { id: _id, ...body } = profile(0);
    const p = predict(catalog, { op: 'create', body });
    expect(p.kind).toBe('created');
    if (p.kind === 'created') expect(p.next(8).map((e) => e.id)).toEqual([7, 8]);
    expect(predict(catalog, { op: 'create', body: profile(9) }).status).toBe(422);
  });

  it('treats an empty PIN as none in a lookup', () => {
    const catalog = modelCatalog([profile(3)]);
    expect(predict(catalog, { op: 'lookup', pid: '3', platform: 'android', mode: 'production', pin: '' }).status).toBe(
      200,
    );
    expect(predict(catalog, { op: 'lookup', pid: '3', platform: 'android', mode: 'production', pin: 'x' }).status).toBe(
      404,
    );
  });
});
