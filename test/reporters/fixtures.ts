/** Synthetic runs and cases for the reporter tests. */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunInfo, RunSummary, TargetRun } from '../../src/core/reporter.ts';
import { emptyCounts, type CaseResult } from '../../src/core/results.ts';

export function tempDir(prefix = 'reporters-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runInfo(outputDir: string, overrides: Partial<RunInfo> = {}): RunInfo {
  return {
    startedAt: '2025-01-02T03:04:05.000Z',
    seed: 42,
    outputDir,
    command: 'harness run --seed 42',
    harnessVersion: '0.1.0',
    rootDir: outputDir,
    ...overrides,
  };
}

export const TARGETS: TargetRun[] = [
  {
    name: 'emulated-ios',
    info: {
      name: 'emulated-ios',
      version: '3.2.0',
      platform: 'ios',
      methods: ['url'],
      capabilities: ['state', 'logs'],
    },
    planned: 3,
  },
  {
    name: 'emulated-android',
    info: {
      name: 'emulated-android',
      version: '4.1.0',
      platform: 'android',
      methods: ['url', 'intent'],
      capabilities: ['state', 'logs', 'network', 'concurrency'],
    },
    planned: 3,
  },
];

let counter = 0;

export function makeCase(overrides: Partial<CaseResult> = {}): CaseResult {
  counter++;
  const start = 1_735_787_045_000 + counter;
  return {
    id: `om-example-${counter}@ios-url`,
    title: `example ${counter}: activate with pid`,
    target: 'emulated-ios',
    specification: 'Open Mobile Provisioning API 3.2',
    route: { platform: 'ios', method: 'url' },
    area: 'result-codes',
    requirements: ['OM-ACT-ACTIVATE', 'OM-CODE-0-SUCCESS'],
    verdict: 'pass',
    message: 'result 0 as expected',
    parameters: { pid: '9945', username: 'jsmalley' },
    choices: {},
    steps: [
      { name: 'reset', status: 'passed', start, stop: start + 1 },
      {
        name: 'provision',
        status: 'passed',
        start: start + 1,
        stop: start + 3,
        attachments: [{ name: 'observation', contentType: 'application/json', body: '{"handled":true,"result":0}' }],
      },
    ],
    attachments: [{ name: 'client log', contentType: 'text/plain', body: 'provisioning started\nprovisioning done' }],
    start,
    stop: start + 4,
    replay: `npx harness replay om-example-${counter}@ios-url --target emulated-ios`,
    ...overrides,
  };
}

export function summaryOf(cases: CaseResult[], overrides: Partial<RunSummary> = {}): RunSummary {
  const counts = emptyCounts();
  const choices: Record<string, Record<string, string>> = {};
  for (const c of cases) {
    counts[c.verdict]++;
    choices[c.target] = { ...(choices[c.target] ?? {}), ...c.choices };
  }
  return { counts, total: cases.length, durationMs: 1234, choices, interrupted: false, ...overrides };
}

/** Every file under dir, recursively, with its content as text. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [p, text] of readTree(path)) files.set(p, text);
    else files.set(path, readFileSync(path, 'utf8'));
  }
  return files;
}

/** A stream stand-in that records what a reporter wrote. */
export class MemoryStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
