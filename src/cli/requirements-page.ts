import { escapeHtml as escape } from '../core/html.ts';
import type { ChoicePointInfo, RequirementInfo } from '../core/suite.ts';

/**
 * requirements.html, written beside the Allure report's index.html: every requirement link of a test
 * (`requirements.html#OM-LEN-USERNAME`) lands on its row, with the seed's sentence quoted.
 */
export function requirementsPage(
  specification: string,
  requirements: readonly RequirementInfo[],
  choicePoints: readonly ChoicePointInfo[],
): string {
  const rows = requirements
    .map(
      (r) =>
        `<tr id="${escape(r.id)}"><td><a href="#${escape(r.id)}"><code>${escape(r.id)}</code></a></td><td>${escape(r.severity)}</td>` +
        `<td>${escape(r.title)}<blockquote>${escape(r.quote)}</blockquote><small>${escape(r.source)}</small></td></tr>`,
    )
    .join('\n');
  const choices = choicePoints
    .map(
      (c) =>
        `<tr id="${escape(c.id)}"><td><code>${escape(c.id)}</code></td><td>${c.options.map((o) => `<code>${escape(o)}</code>`).join(', ')}</td>` +
        `<td>${escape(c.title)}<br><small>${escape(c.reading)}</small></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(specification)}: requirements</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}blockquote{margin:.3rem 0 .3rem 1rem;color:#444}
tr:target{background:#fff6c8}</style></head><body>
<h1>${escape(specification)}</h1>
<h2>Requirements</h2>
<table><thead><tr><th>ID</th><th>Severity</th><th>Rule and the specification's words</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Implementation-defined choices</h2>
<p>A target may pick any permitted option; the harness records the pick and checks it is made the same way every time.</p>
<table><thead><tr><th>ID</th><th>Options</th><th>What</th></tr></thead><tbody>
${choices}
</tbody></table>
</body></html>
`;
}
