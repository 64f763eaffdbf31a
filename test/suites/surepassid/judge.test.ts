import { describe, expect, it } from 'vitest';
import { judgeExchange } from '../../../suites/surepassid/judge.ts';
import { emptyState, expect as expectation } from '../../../suites/surepassid/model.ts';
import type { Expectation, OathExchange } from '../../../suites/surepassid/types.ts';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

function exchange(status: number | null, body: string, failure: OathExchange['failure'] = null): OathExchange {
  return {
    request: { method: 'POST', url: 'http://t/x', contentType: 'application/json', body: '{}' },
    response: status === null ? null : { status, contentType: 'application/json', body },
    failure,
    ms: 1,
  };
}

const ctx = { knownDeviceIds: new Set<string>() };
const provisionOk: Expectation = {
  codes: [0],
  success: { kind: 'key-uri' },
  why: 'test',
  requirements: ['SP-PROVISION-OK'],
};
const creds: Expectation = { codes: [9000], success: null, why: 'bad key', requirements: ['SP-CRED-9000'] };
const anyError: Expectation = { nonZero: true, success: null, why: 'malformed', requirements: ['SP-FIELDS-MALFORMED'] };

describe('judgeExchange', () => {
  it('a hang, a cut answer, a 500 and a body that is not a JSON object are server errors', () => {
    expect(
      judgeExchange(
        anyError,
        exchange(null, '', { kind: 'timeout', message: 'no complete answer within 5 ms' }),
        null,
        ctx,
      ),
    ).toMatchObject({ verdict: 'fail', category: 'server-error', message: expect.stringMatching(/a hang/) });
    expect(
      judgeExchange(anyError, exchange(null, '', { kind: 'connection', message: 'cut' }), null, ctx),
    ).toMatchObject({ category: 'server-error' });
    expect(judgeExchange(anyError, exchange(500, '{"errorCode":9000,"errorMessage":"x"}'), null, ctx)).toMatchObject({
      category: 'server-error',
      message: expect.stringMatching(/HTTP 500/),
    });
    expect(judgeExchange(anyError, exchange(200, '<html>'), null, ctx)).toMatchObject({
      category: 'server-error',
      message: expect.stringMatching(/not JSON/),
    });
    expect(judgeExchange(anyError, exchange(200, '[1]'), null, ctx)).toMatchObject({
      category: 'server-error',
      message: expect.stringMatching(/not an object/),
    });
  });

  it('an answer without errorCode, with a string errorCode or an empty errorMessage on failure violates the schema', () => {
    expect(judgeExchange(creds, exchange(200, '{"errorMessage":"x"}'), 'find_device', ctx)).toMatchObject({
      category: 'schema-violation',
      requirements: ['SP-SCHEMA-RESPONSE'],
    });
    expect(
      judgeExchange(creds, exchange(200, '{"errorCode":"9000","errorMessage":"x"}'), 'find_device', ctx),
    ).toMatchObject({ category: 'schema-violation' });
    expect(
      judgeExchange(creds, exchange(200, '{"errorCode":9000,"errorMessage":""}'), 'find_device', ctx),
    ).toMatchObject({ category: 'schema-violation' });
    expect(
      judgeExchange(provisionOk, exchange(200, '{"errorCode":0,"errorMessage":"OK"}'), 'get_oath_device_qrcode', ctx),
    ).toMatchObject({ category: 'schema-violation', message: expect.stringMatching(/QRCodeURL/) });
  });

  it('the wrong code, a success for a malformed request and an undocumented code are wrong-result-code', () => {
    expect(
      judgeExchange(creds, exchange(200, '{"errorCode":9001,"errorMessage":"x"}'), 'find_device', ctx),
    ).toMatchObject({
      category: 'wrong-result-code',
      message: expect.stringMatching(
        /expected errorCode 9000 PartnerLoginFailed .* got errorCode 9001 PartnerUserLoginFailed/,
      ),
    });
    expect(
      judgeExchange(anyError, exchange(200, '{"errorCode":0,"errorMessage":"OK","deviceId":"d"}'), 'find_device', ctx),
    ).toMatchObject({ category: 'wrong-result-code' });
    expect(judgeExchange(anyError, exchange(200, '{"errorCode":1,"errorMessage":"bad"}'), null, ctx)).toMatchObject({
      category: 'wrong-result-code',
      requirements: ['SP-CODE-RANGE'],
    });
    expect(judgeExchange(anyError, exchange(200, '{"errorCode":9024,"errorMessage":"bad"}'), null, ctx)).toMatchObject({
      requirements: ['SP-CODE-RANGE'],
    });
  });

  it('the right failure in a 4xx answer is informational (the status is not judged); so is a QR that is only an image link', () => {
    expect(
      judgeExchange(creds, exchange(401, '{"errorCode":9000,"errorMessage":"PartnerLoginFailed"}'), 'find_device', ctx),
    ).toMatchObject({ verdict: 'informational' });
    expect(
      judgeExchange(
        provisionOk,
        exchange(200, '{"errorCode":0,"errorMessage":"OK","QRCodeURL":"https://qrcode_url_to_display"}'),
        'provision_oath_device',
        ctx,
      ),
    ).toMatchObject({ verdict: 'informational', message: expect.stringMatching(/Key URI not checked/) });
  });

  it('a valid Key URI passes; an invalid one fails under the requirement it breaks', () => {
    const good = `otpauth://totp/A:m?secret=${SECRET}&issuer=A`;
    const pass = judgeExchange(
      provisionOk,
      exchange(
        200,
        JSON.stringify({ errorCode: 0, errorMessage: 'OK', QRCodeURL: `https://q/?chl=${encodeURIComponent(good)}` }),
      ),
      'provision_oath_device',
      ctx,
    );
    expect(pass).toMatchObject({
      verdict: 'pass',
      message: expect.stringMatching(/valid Key URI .* 160-bit key, SHA1, 6 digits, 30 s/),
    });
    const bad = judgeExchange(
      provisionOk,
      exchange(
        200,
        JSON.stringify({ errorCode: 0, errorMessage: 'OK', QRCodeURL: `otpauth://totp/m?secret=${SECRET}&digits=9` }),
      ),
      'provision_oath_device',
      ctx,
    );
    expect(bad).toMatchObject({ verdict: 'fail', category: 'schema-violation' });
    expect(bad.requirements.sort()).toEqual(['SP-KEYURI-ISSUER', 'SP-KEYURI-PARAMS']);
  });

  it("a Key URI carrying the key another device was given is non-strict (SP-KEYURI-OWN-KEY, a SHOULD), never a fail; the device's own key again passes", () => {
    const answer = (secret: string) =>
      exchange(
        200,
        JSON.stringify({ errorCode: 0, errorMessage: 'OK', QRCodeURL: `otpauth://totp/A:m?secret=${secret}&issuer=A` }),
      );
    const forDevice = (deviceId: string): Expectation => ({
      ...provisionOk,
      success: { kind: 'key-uri' as const, deviceId },
    });
    const first = judgeExchange(forDevice('d1'), answer(SECRET), 'provision_oath_device', ctx);
    expect(first).toMatchObject({ verdict: 'pass', issued: { deviceId: 'd1' } });
    const deviceKeys = new Map([[first.issued?.key as string, 'd1']]);
    // The same key in lower case: the same bytes, so the same key.
    const shared = judgeExchange(forDevice('d2'), answer(SECRET.toLowerCase()), 'provision_oath_device', {
      ...ctx,
      deviceKeys,
    });
    expect(shared).toMatchObject({ verdict: 'non-strict', requirements: ['SP-KEYURI-OWN-KEY'] });
    expect(shared.category).toBeUndefined();
    expect(shared.message).toContain('"d1"');
    expect(shared.message).not.toContain(SECRET);
    expect(
      judgeExchange(forDevice('d1'), answer(SECRET), 'get_oath_device_qrcode', { ...ctx, deviceKeys }).verdict,
    ).toBe('pass');
    const other = judgeExchange(forDevice('d2'), answer('MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U'), 'provision_oath_device', {
      ...ctx,
      deviceKeys,
    });
    expect(other.verdict).toBe('pass');
  });

  it('add_oath_device must answer a new deviceId; find_device the device asked for', () => {
    const added: Expectation = { codes: [0], success: { kind: 'added' }, why: 'x', requirements: ['SP-ADD-DEVICE'] };
    expect(
      judgeExchange(added, exchange(200, '{"errorCode":0,"errorMessage":"OK","deviceId":"old"}'), 'add_oath_device', {
        knownDeviceIds: new Set(['old']),
      }),
    ).toMatchObject({ category: 'wrong-state' });
    const found: Expectation = {
      codes: [0],
      success: { kind: 'found', deviceId: 'd1', username: 'mandy' },
      why: 'x',
      requirements: ['SP-FIND-DEVICE'],
    };
    expect(
      judgeExchange(found, exchange(200, '{"errorCode":0,"errorMessage":"OK","deviceId":"d2"}'), 'find_device', ctx),
    ).toMatchObject({ category: 'wrong-state' });
    expect(
      judgeExchange(
        found,
        exchange(200, '{"errorCode":0,"errorMessage":"OK","deviceId":"d1","username":"bob"}'),
        'find_device',
        ctx,
      ),
    ).toMatchObject({ category: 'wrong-state' });
    expect(
      judgeExchange(
        found,
        exchange(200, '{"errorCode":0,"errorMessage":"OK","deviceId":"d1","username":"mandy"}'),
        'find_device',
        ctx,
      ),
    ).toMatchObject({ verdict: 'pass' });
  });
});

describe('the model', () => {
  const state = emptyState();
  state.accounts.set('acme', { key: 'k', users: new Set(['mandy', 'bob']) });
  state.devices.set('d1', { account: 'acme', username: 'mandy', provisioned: false, deleted: false });
  state.devices.set('gone', { account: 'acme', username: 'mandy', provisioned: true, deleted: true });
  const base = { spAccountLoginName: 'acme', spAccountLoginKey: 'k' };

  it('bad credentials on a well-formed request are exactly 9000, whatever else is wrong', () => {
    const e = expectation(state, {
      json: {
        type: 'provision_oath_device',
        ...base,
        spAccountLoginKey: 'K',
        username: 'nobody',
        deviceId: 'none',
        physicalDeviceId: 'p',
      },
    });
    expect(e).toMatchObject({ codes: [9000], requirements: ['SP-CRED-9000'] });
  });

  it('a malformed request, even with bad credentials, needs only a non-zero code', () => {
    expect(expectation(state, { json: { type: 'find_device', ...base, spAccountLoginKey: 'wrong' } })).toMatchObject({
      nonZero: true,
    });
    expect(expectation(state, { json: { type: 'find_device', ...base, deviceId: ['d1'] } })).toMatchObject({
      nonZero: true,
      requirements: expect.arrayContaining(['SP-FIELDS-STRING']),
    });
    expect(expectation(state, { raw: '{' })).toMatchObject({ nonZero: true });
    expect(expectation(state, { json: { type: 'delete_device', ...base } })).toMatchObject({ nonZero: true });
  });

  it('several broken rules accept the code of any of them; an unknown user any non-zero code; a re-provision may be 0 or 9019', () => {
    const e = expectation(state, {
      json: { type: 'provision_oath_device', ...base, username: 'mandy', deviceId: 'gone', physicalDeviceId: 'p' },
    });
    expect(e.codes?.sort()).toEqual([9021]);
    // The sources say only that an unknown user is an error ("unknown user or device errors").
    expect(
      expectation(state, {
        json: { type: 'provision_oath_device', ...base, username: 'nobody', deviceId: 'gone', physicalDeviceId: 'p' },
      }),
    ).toMatchObject({ nonZero: true, requirements: expect.arrayContaining(['SP-USER-UNKNOWN']) });
    state.devices.get('d1')!.provisioned = true;
    expect(
      expectation(state, {
        json: { type: 'provision_oath_device', ...base, username: 'mandy', deviceId: 'd1', physicalDeviceId: 'p' },
      }).codes,
    ).toEqual([0, 9019]);
    expect(expectation(state, { json: { type: 'find_device', ...base, deviceId: 'd1', extra: 42 } })).toMatchObject({
      codes: [0],
      success: { kind: 'found', deviceId: 'd1', username: 'mandy' },
    });
  });
});
