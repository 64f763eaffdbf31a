import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { report } from '../../src/cli/report.ts';
import { resolveConfig } from '../../src/config/resolve.ts';

describe('harness report without results', () => {
  it('names the run command with the config the report was asked with, runnable as printed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-report-hint-'));
    const file = path.join(dir, 'lab', 'lab.config.ts');
    const config = resolveConfig({ file, config: {} }, {}, {}, dir);
    const commands = { cwd: dir, config: file, flags: [] };
    await expect(
      report(config, { open: false, singleFile: false, port: 0 }, { cwd: dir, stdout: () => {} }, commands),
    ).rejects.toThrow(/run `npx harness run --config lab\/lab\.config\.ts` first/);
  });
});
