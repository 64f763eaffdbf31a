/**
 * `harness links`: the provisioning links of the plan on one page, for QA to open on a phone in the
 * device's own browser, with the outcome the specification expects beside each link. Links are what a user
 * would tap: iOS links carry no result scheme (nothing on a phone would receive the callback), so the
 * expectation is the dialog and the saved settings.
 */
import { escapeHtml } from '../../src/core/html.ts';
import { focusUrl, stateAfter, type OpenMobileCase } from './execute.ts';
import { observableState, succeeded } from './judge.ts';
import { predict } from './model.ts';
import { urlFor } from './routes.ts';
import type { Branch, OpenMobileSuiteData, Vector } from './types.ts';

function linkFor(vector: Vector, c: OpenMobileCase, query: string | undefined): string {
  if (query === undefined) return focusUrl(vector, c.route);
  return urlFor(c.route, query, { probe: false });
}

function outcomeText(branch: Branch): string {
  if (!branch.handled) return 'not handled: nothing happens, nothing changes';
  const ok = succeeded(branch);
  const code = branch.results.length === 1 ? String(branch.results[0]) : `one of ${branch.results.join(', ')}`;
  const shown =
    branch.delivery.notification === true
      ? `a ${ok ? 'success' : 'failure'} notification, the app stays in the background`
      : branch.delivery.dialog === 'outcome'
        ? `a ${ok ? 'success' : 'failure'} dialog`
        : `result ${code}`;
  if (!ok) return `${shown} (result ${code}); nothing changes`;
  const s = observableState(branch.state);
  const settings = s.settings;
  const saved = [
    s.profile ? `profile ${s.profile.id}${s.profile.mode === 'test' ? ' (test)' : ''}` : 'no profile',
    `username ${settings.username ?? '(none)'}`,
    `password ${settings.password === null ? '(none)' : 'set'}`,
    `domain ${settings.domain ?? '(none)'}`,
    `prefix ${settings.prefix ?? '(none)'}`,
    `auto-login ${settings.autologin === null ? '(not set)' : settings.autologin ? 'on' : 'off'}`,
  ].join(', ');
  return `${shown}; Settings show: ${saved}`;
}

function choicesText(branch: Branch): string {
  const entries = Object.entries(branch.choices);
  return entries.length === 0 ? '' : `if the app chose ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}: `;
}

/**
 * The page, or null for a case a person cannot reproduce by tapping (faults, concurrency, a catalog of its
 * own that the phone's profile service does not serve).
 */
function caseHtml(c: OpenMobileCase, data: OpenMobileSuiteData): string | null {
  const v = c.vector;
  if (v.when.fault !== undefined || v.when.concurrent !== undefined || v.catalog !== undefined) return null;
  const base = {
    route: c.route,
    catalog: data.catalog,
    network: 'online' as const,
    fault: null,
    obfuscationKey: data.obfuscationKey,
  };
  const setupUrls = (v.given ?? []).map((query) => linkFor(v, c, query));
  const { state, failedStep } = stateAfter(setupUrls, base);
  if (failedStep !== null) return null;
  const steps = setupUrls.map(
    (u) => `<li>Tap <a href="${escapeHtml(u)}">${escapeHtml(u)}</a> (sets the starting state up)</li>`,
  );
  const url = v.when.query !== undefined ? linkFor(v, c, v.when.query) : focusUrl(v, c.route);
  const offline = v.when.network === 'offline';
  if (offline) steps.push('<li>Turn on airplane mode</li>');
  steps.push(`<li>Tap <a class="test" href="${escapeHtml(url)}">${escapeHtml(url)}</a></li>`);
  const branches = predict({ ...base, url, state, network: offline ? 'offline' : 'online' });
  const expected = branches.map((b) => `<li>${escapeHtml(choicesText(b) + outcomeText(b))}</li>`).join('');
  return `<section id="${escapeHtml(c.id)}"><h3>${escapeHtml(c.title)}</h3><p class="id"><code>${escapeHtml(c.id)}</code> · ${escapeHtml(c.requirements.join(', '))}</p>
<p>Start from a freshly installed app (uninstall and reinstall), then:</p><ol>${steps.join('')}</ol>
<p><strong>Expected:</strong></p><ul>${expected}</ul></section>`;
}

export function linksPage(
  cases: OpenMobileCase[],
  data: OpenMobileSuiteData,
  specification: string,
): { html: string; count: number } {
  const sections: string[] = [];
  let count = 0;
  for (const [platform, title] of [
    ['ios', 'iOS (open in Safari)'],
    ['android', 'Android, URL method (open in the phone\u2019s browser)'],
  ] as const) {
    const mine = cases.filter((c) => c.route.platform === platform && c.route.method === 'url');
    const html = mine.map((c) => caseHtml(c, data)).filter((h): h is string => h !== null);
    count += html.length;
    if (html.length > 0) sections.push(`<h2>${escapeHtml(title)}: ${html.length} case(s)</h2>${html.join('\n')}`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(specification)}: provisioning links</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem}section{border-top:1px solid #ccc;padding:.5rem 0}
a{word-break:break-all}a.test{font-weight:bold}.id{color:#555;font-size:.9rem}</style></head><body>
<h1>${escapeHtml(specification)}: provisioning links</h1>
<p>For testing on a phone: open this page in the phone's own browser and follow the steps of a case. The
expected outcomes assume the app fetches profiles from a service serving the harness's profile catalog
(<code>vectors/openmobile/profiles.json</code>), as its test build does when pointed at the harness's profile
service; against the production provisioning server, profile IDs and settings differ. Passwords in these links
are test values.</p>
${sections.join('\n')}
</body></html>
`;
  return { html, count };
}
