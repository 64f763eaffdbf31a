import { escapeHtml as escape } from '../core/html.ts';
import type { ChoicePointInfo, RequirementInfo } from '../core/suite.ts';

/** One suite's part of the page. */
export interface RequirementsSection {
  /** The suite's name (`swivel`): the section's anchor. */
  name: string;
  /** The specification's title. */
  specification: string;
  requirements: readonly RequirementInfo[];
  choicePoints: readonly ChoicePointInfo[];
}

/**
 * requirements.html, written beside the Allure report's index.html: every requirement link of a test
 * (`requirements.html#OM-LEN-USERNAME`, `requirements.html#SW-CODE-ONCE`) lands on its row, with the
 * specification's sentence quoted. Every suite has its section, whichever suites the run tested: the
 * requirement ids are unique across suites (each has its own prefix).
 */
export function requirementsPage(sections: readonly RequirementsSection[]): string {
  const contents = sections
    .map(
      (s) =>
        `<li><a href="#suite-${escape(s.name)}">${escape(s.specification)}</a> (${s.requirements.length} requirements)</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Requirements of the specifications tested</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}blockquote{margin:.3rem 0 .3rem 1rem;color:#444}
tr:target{background:#fff6c8}</style></head><body>
<h1>Requirements of the specifications tested</h1>
<ul>
${contents}
</ul>
${sections.map(section).join('\n')}
</body></html>
`;
}

function section(s: RequirementsSection): string {
  const rows = s.requirements
    .map(
      (r) =>
        `<tr id="${escape(r.id)}"><td><a href="#${escape(r.id)}"><code>${escape(r.id)}</code></a></td><td>${escape(r.severity)}</td>` +
        `<td>${escape(r.title)}<blockquote>${escape(r.quote)}</blockquote><small>${escape(r.source)}</small></td></tr>`,
    )
    .join('\n');
  const choices = s.choicePoints
    .map(
      (c) =>
        `<tr id="${escape(c.id)}"><td><code>${escape(c.id)}</code></td><td>${c.options.map((o) => `<code>${escape(o)}</code>`).join(', ')}</td>` +
        `<td>${escape(c.title)}<br><small>${escape(c.reading)}</small></td></tr>`,
    )
    .join('\n');
  const choiceTable =
    s.choicePoints.length === 0
      ? ''
      : `<h3>Implementation-defined choices</h3>
<p>A target may pick any permitted option; the harness records the pick and checks it is made the same way every time.</p>
<table><thead><tr><th>ID</th><th>Options</th><th>What</th></tr></thead><tbody>
${choices}
</tbody></table>`;
  return `<section id="suite-${escape(s.name)}">
<h2>${escape(s.specification)}</h2>
<table><thead><tr><th>ID</th><th>Level</th><th>Rule and the specification's words</th></tr></thead><tbody>
${rows}
</tbody></table>
${choiceTable}
</section>`;
}
