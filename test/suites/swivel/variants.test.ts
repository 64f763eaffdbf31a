/**
 * A Swivel server that takes the other permitted way wherever the texts leave it open (docs/spec/verdict-audit.md):
 * it looks the user up before it looks for <ProvisionCode>, it processes a DOCTYPE (expanding the internal
 * subset's entities) instead of refusing it, it answers with a text/plain Content-Type, and it puts "OK" in the
 * <Error> of a PASS. Built as a loopback proxy in front of the reference server, with its own small readers.
 * It must pass every vector and the fuzz property; a seeded defect behind it is still caught.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSwivelReference, type SwivelReference } from '../../../drivers/emulated/swivel/server.ts';
import { createSwivelDriver } from '../../../drivers/http/swivel.ts';
import { runVector } from '../../../suites/swivel/execute.ts';
import { agentBodiesProperty } from '../../../suites/swivel/fuzz.ts';
import type { Vector } from '../../../suites/swivel/types.ts';
import { loadSwivelVectors } from '../../../suites/swivel/vectors.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const context = { rootDir: ROOT, obfuscationKey: null };
let vectors: Vector[] = [];

beforeAll(async () => {
  vectors = await loadSwivelVectors(path.join(ROOT, 'vectors/swivel'), { rootDir: ROOT });
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A DOCTYPE processed: removed, and `<!ENTITY n "v">` of its internal subset expanded. */
function processDoctype(body: string): string {
  const m = /<!DOCTYPE\s+[A-Za-z_][\w.-]*\s*(?:\[([^\]]*)\])?\s*>/.exec(body);
  if (m === null) return body;
  let out = body.slice(0, m.index) + body.slice(m.index + m[0].length);
  for (const e of (m[1] ?? '').matchAll(/<!ENTITY\s+(\w+)\s+"([^"&<%]*)"\s*>/g)) {
    out = out.replaceAll(`&${e[1]};`, e[2] as string);
  }
  return out;
}

/** A plain SASRequest: text-only elements, no references or markup in values (the only bodies this variant reads itself). */
const PLAIN = /^(?:<\?xml[^>]*\?>)?\s*<SASRequest>(?:<([A-Za-z]+)>[^<&]*<\/\1>)*<\/SASRequest>\s*$/;

const element = (body: string, name: string): string[] =>
  [...body.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1] as string);

async function startVariant(upstream: string): Promise<string> {
  const server = http.createServer((req, res) => {
    void (async () => {
      let body = await readBody(req);
      const url = req.url ?? '/';
      if (req.method === 'POST' && url.endsWith('/AgentXML')) {
        body = processDoctype(body);
        const [username] = element(body, 'Username');
        const action = element(body, 'Action');
        if (
          PLAIN.test(body) &&
          action.length === 1 &&
          action[0] === 'provision' &&
          element(body, 'Username').length === 1 &&
          username
        ) {
          // The user first: an unknown user is answered before the request's other elements are looked at.
          const state = (await (await fetch(`${upstream}/harness/v1/state`)).json()) as { users: object };
          if (!(username in state.users)) {
            const [requestId] = element(body, 'RequestID');
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(
              `<SASResponse><Version>3.6</Version><RequestID>${requestId ?? ''}</RequestID><Result>FAIL</Result><Error>AGENT_ERROR_NO_USER_FOUND</Error></SASResponse>`,
            );
            return;
          }
        }
      }
      const headers: Record<string, string> = {};
      if (req.headers['content-type'] !== undefined) headers['content-type'] = req.headers['content-type'];
      const answer = await fetch(`${upstream}${url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      });
      let text = await answer.text();
      const type = answer.headers.get('content-type');
      if (url.endsWith('/AgentXML')) {
        if (text.includes('<Result>PASS</Result>'))
          text = text.replace(/<Error>\s*<\/Error>|<Error\/>/, '<Error>OK</Error>');
        res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
      } else {
        res.writeHead(answer.status, type === null ? {} : { 'content-type': type });
      }
      res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function variant(defects: string[] = []) {
  const reference: SwivelReference = await startSwivelReference({ defects });
  closers.push(() => reference.close());
  const url = await startVariant(reference.urls[0] as string);
  const driver = await createSwivelDriver({ url }, context);
  closers.push(() => driver.stop());
  const info = await driver.info();
  return { session: await driver.openSession(), capabilities: info.capabilities };
}

describe('a Swivel server taking the other permitted ways', () => {
  it('passes every vector', { timeout: 120_000 }, async () => {
    const { session, capabilities } = await variant();
    const bad: string[] = [];
    let passed = 0;
    for (const vector of vectors) {
      if (vector.realTime === true) continue;
      const outcome = await runVector(vector, session, capabilities, AbortSignal.timeout(10_000));
      if (outcome.verdict === 'pass') passed++;
      else if (outcome.verdict !== 'not-applicable') bad.push(`${vector.id}: ${outcome.message}`);
    }
    expect(bad).toEqual([]);
    expect(passed).toBeGreaterThan(35);
  });

  it('passes the fuzz property, DOCTYPE bodies included', { timeout: 120_000 }, async () => {
    const { session, capabilities } = await variant();
    const property = agentBodiesProperty(session, capabilities);
    let failure: string | null = null;
    await fc
      .assert(
        fc.asyncProperty(property.arbitrary, async (value) => {
          const found = await property.check(value, AbortSignal.timeout(10_000));
          if (found !== null) failure = `${property.describe(value)}: ${found.message}`;
          return found === null;
        }),
        { seed: 12, numRuns: 150, endOnFailure: true },
      )
      .catch(() => undefined);
    expect(failure).toBeNull();
  });

  it('still catches a defect: a code that works twice', { timeout: 120_000 }, async () => {
    const { session, capabilities } = await variant(['code-reusable']);
    const failed: string[] = [];
    for (const vector of vectors) {
      if (vector.realTime === true) continue;
      const outcome = await runVector(vector, session, capabilities, AbortSignal.timeout(10_000));
      if (outcome.verdict === 'fail') failed.push(vector.id);
    }
    expect(failed.length).toBeGreaterThan(0);
  });
});
