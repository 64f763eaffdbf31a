import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Catalog, Route } from '../../../protocols/openmobile/types.ts';
import { formatDerivation, redactPassword } from '../../../suites/openmobile/explain.ts';
import { predict } from '../../../suites/openmobile/model.ts';
import type { ModelState } from '../../../suites/openmobile/types.ts';

const catalog = JSON.parse(
  readFileSync(new URL('../../../vectors/openmobile/profiles.json', import.meta.url), 'utf8'),
) as Catalog;
const IOS: Route = { platform: 'ios', method: 'url' };
const fresh: ModelState = {
  profile: null,
  settings: { username: null, password: null, domain: null, prefix: null, autologin: null },
};

function explain(url: string, route: Route = IOS, state: ModelState = fresh): string {
  const branches = predict({ route, url, state, catalog, network: 'online', fault: null, obfuscationKey: null });
  return formatDerivation(branches, { caseId: 'case-1@ios-url', url, route });
}

describe('formatDerivation', () => {
  it('explains rule by rule with id, severity and a short seed quote, and the outcome', () => {
    const text = explain(
      'ipass://provision?pid=9945&username=jsmalley&password=doggylove2&domain=mycorp.com&resulturlscheme=app',
    );
    expect(text).toContain('case-1@ios-url on ios (url method)');
    expect(text).toContain('[OM-ROUTE-IOS, MUST] scheme "ipass", host "provision" (ipass in any case): handled');
    expect(text).toContain('seed (iOS Provisioning URL Format): "Note that Open Mobile implements');
    expect(text).toContain('[OM-SOFT-AUTOLOGIN-IOS-INITIAL, MUST]');
    expect(text).toContain('=> result 0');
    expect(text).toContain(
      'one callback app://provision?result=0; a success dialog; in the foreground; notification not specified',
    );
    expect(text).toContain('profile 9945 (production, ios); username "jsmalley", password ***, domain "mycorp.com"');
    expect(text).not.toContain('doggylove2');
  });

  it('lists each branch with its choices when there are several', () => {
    const text = explain('ipass://provision?pid=9945&username=a+b&password=hunter22&resulturlscheme=app');
    expect(text).toContain('2 permitted outcomes');
    expect(text).toContain('outcome 1 of 2: OM-CHOICE-PLUS=literal');
    expect(text).toContain('outcome 2 of 2: OM-CHOICE-PLUS=space');
    expect(text).not.toContain('hunter22');
  });

  it('says when the state is unchanged and the set of acceptable codes', () => {
    const text = explain('ipass://provision?pid=424242&autologin=X');
    expect(text).toContain('=> result any of 11, 33');
    expect(text).toContain('state: unchanged: not activated');
    expect(text).toContain('[OM-PRECEDENCE, MUST]');
  });

  it('shows the non-strict deviation', () => {
    const route: Route = { platform: 'android', method: 'url' };
    const text = explain('clientx://provision?pid=9945', route);
    expect(text).toContain('=> not handled');
    expect(text).toContain('non-strict: Android URL-method link without ".com"');
  });

  it('redacts the password parameter in URLs', () => {
    expect(redactPassword('ipass://provision?pid=1&password=secret&x=1#f')).toBe(
      'ipass://provision?pid=1&password=***&x=1#f',
    );
    expect(redactPassword('ipass://provision')).toBe('ipass://provision');
  });
});
