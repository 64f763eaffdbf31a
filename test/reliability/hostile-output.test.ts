/**
 * What a server sends never reaches a terminal or a report raw: a judge that quotes a target's answer in a
 * message (an `<Error>` text, an `errorMessage`, a body excerpt) escapes it with printable(), and the runner
 * escapes whatever control or format character a message still holds. Hostile servers on loopback (the
 * reference servers behind a proxy that rewrites their answers) send NUL, bytes that are not UTF-8 and
 * terminal escape sequences (ESC [2J clears the screen, ESC ] 0; sets the window title).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProfileService as startReferenceProfileService } from '../../drivers/emulated/profile-service.ts';
import { startSurePassIdReference } from '../../drivers/emulated/surepassid/server.ts';
import { startSwivelReference } from '../../drivers/emulated/swivel/server.ts';
import type { CaseResult } from '../../src/core/results.ts';
import { repoPaths, runCli, runInProcess, tempProject } from '../e2e/helpers.ts';
import { startFaultyServer, type Rewrite } from './faulty-server.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** NUL, a byte that is not UTF-8, "clear screen", "set window title" (ended by BEL), a bidi override. */
const HOSTILE = Buffer.concat([
  Buffer.from([0x00, 0xff]),
  Buffer.from('\u001b[2J\u001b]0;pwned\u0007', 'latin1'),
  Buffer.from('\u202e', 'utf8'),
]);
/** How HOSTILE reads once escaped (the byte 0xff, decoded as UTF-8 text, is the replacement character). */
const ESCAPED = /\\x00\\u\{fffd\}\\x1b\[2J\\x1b\]0;pwned\\x07\\u\{202e\}/;

/** No raw control, format or replacement character (line feeds and tabs aside). */
function expectPrintable(text: string, where: string): void {
  expect(text, where).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/);
}

function expectPrintableResults(results: CaseResult[]): void {
  for (const r of results) {
    expectPrintable(r.message, r.id);
    for (const step of r.steps) expectPrintable(step.message ?? '', `${r.id}: ${step.name}`);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('a hostile server', () => {
  it('Swivel: an <Error> of control bytes is escaped in every message, console line and report file', async () => {
    const reference = await startSwivelReference();
    open.push(reference);
    const rewrite: Rewrite = (x) =>
      x.url.endsWith('/AgentXML')
        ? {
            status: 200,
            body: Buffer.concat([
              Buffer.from('<SASResponse><Version>3.6</Version><RequestID></RequestID><Result>FAIL</Result><Error>'),
              HOSTILE,
              Buffer.from('</Error></SASResponse>'),
            ]),
          }
        : null;
    const proxy = await startFaultyServer(reference.urls[0] ?? '', 'none', Infinity, rewrite);
    open.push(proxy);
    const dir = tempProject(
      `export default { ${repoPaths()}\n  targets: [{ name: 'hostile', driver: 'swivel', options: { url: '${proxy.url}' } }] };\n`,
    );
    const run = await runCli(['run', '--grep', 'sw:code-', '--grep', 'SW-CODE-', '--target', 'hostile'], dir);
    expect(run.code).toBe(1);
    const console = run.stdout + run.stderr;
    expect(console).toMatch(/got FAIL "\\x00\\u\{fffd\}\\x1b\[2J\\x1b\]0;pwned\\x07\\u\{202e\}"/);
    expectPrintable(console, 'console');

    // Every report a reader or a tool prints: the exchanges attached to a failing case are the bytes as they
    // travelled (evidence), so the attachment files are left out.
    const reports = path.join(dir, 'reports');
    const files = filesUnder(reports).filter((f) => !f.endsWith('-attachment.txt'));
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['results.jsonl', 'summary.json', 'junit.xml']),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(0x1b), file).toBe(false);
      expect(bytes.includes(0x00), file).toBe(false);
    }
    const results = readFileSync(path.join(reports, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CaseResult);
    expect(results.filter((r) => r.verdict === 'fail').length).toBeGreaterThan(0);
    for (const r of results.filter((x) => x.verdict === 'fail')) expect(r.message).toMatch(ESCAPED);
    expectPrintableResults(results);
  });

  it('SurePassID: an errorMessage and a 500 body of control bytes are escaped', async () => {
    const reference = await startSurePassIdReference();
    open.push(reference);
    let n = 0;
    const rewrite: Rewrite = (x) => {
      if (!x.url.startsWith(reference.oathPath)) return null;
      n++;
      // Every other answer: JSON whose errorMessage holds the escape sequences, or a 500 of raw bytes.
      return n % 2 === 0
        ? {
            status: 200,
            contentType: 'application/json',
            body: Buffer.from(
              JSON.stringify({ errorCode: 9001, errorMessage: HOSTILE.toString('utf8') }).replace(
                /[\u007f-\uffff]/g,
                (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
              ),
            ),
          }
        : { status: 500, body: HOSTILE };
    };
    const proxy = await startFaultyServer(reference.url, 'none', Infinity, rewrite);
    open.push(proxy);
    const { results } = await runInProcess(
      { targets: [{ name: 'hostile', driver: 'surepassid', options: { url: proxy.url } }] },
      { target: ['hostile'] },
    );
    const failed = results.filter((r) => r.verdict === 'fail');
    expect(failed.some((r) => /got HTTP 500: /.test(r.message) && ESCAPED.test(r.message))).toBe(true);
    expect(
      failed.some((r) => /got errorCode 9001 PartnerUserLoginFailed \(/.test(r.message) && ESCAPED.test(r.message)),
    ).toBe(true);
    expectPrintableResults(results);
  });

  it('profile service: a 500 body of control bytes is escaped in the broken reason', async () => {
    const service = await startReferenceProfileService({ profiles: [] }, { admin: true });
    open.push(service);
    const rewrite: Rewrite = (x) => (x.url.includes('/v1/profiles/') ? { status: 500, body: HOSTILE } : null);
    const proxy = await startFaultyServer(service.baseUrl, 'none', Infinity, rewrite);
    open.push(proxy);
    const { results } = await runInProcess(
      { targets: [{ name: 'hostile', driver: 'profile-service', options: { url: proxy.url } }] },
      { target: ['hostile'], grep: ['OMP-'] },
    );
    const broken = results.filter((r) => r.verdict === 'broken');
    expect(broken.length).toBeGreaterThan(0);
    for (const r of broken) {
      expect(r.message).toMatch(/protocol error: GET \S+ answered HTTP 500 \(expected \d+\): /);
      expect(r.message).toMatch(ESCAPED);
    }
    expectPrintableResults(results);
  });
});
