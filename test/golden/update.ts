/**
 * `npm run golden:update [-- <part>...]`: reruns the golden runs (test/golden/capture.ts) and rewrites
 * test/golden/baseline.tsv, all parts or those named (run, fuzz, device). Only for an intended change of
 * results: the commit says why.
 */
import { writeFileSync } from 'node:fs';
import { BASELINE, baselineLines, capture, HEADER, PARTS, readBaseline, type Part } from './capture.ts';

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(PARTS as readonly string[]).includes(a));
if (unknown.length > 0) {
  process.stderr.write(`golden:update: unknown part ${unknown.join(', ')}: use ${PARTS.join(', ')}\n`);
  process.exit(2);
}
const parts = (asked.length > 0 ? asked : PARTS) as Part[];
const kept = readBaseline()
  .filter((b) => !parts.some((p) => b.key.startsWith(`${p} `)))
  .map((b) => `${b.key}\t${b.hash}\t${b.summary}`);
const lines = [...kept];
for (const part of parts) {
  const started = Date.now();
  const records = await capture(part);
  lines.push(...baselineLines(records));
  process.stdout.write(`${part}: ${records.length} results (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
writeFileSync(BASELINE, `${[...HEADER, ...lines].join('\n')}\n`);
process.stdout.write(`wrote ${BASELINE}\n`);
// The CLI leaves nothing running, but Appium's child may keep the event loop alive a moment.
process.exit(0);
