/**
 * A runnable client adapter: the emulated Open Mobile client behind the generic adapter server. Vendors read
 * it as a worked example; the harness's own tests use it to run the `http` driver end to end.
 *
 *   node --import tsx drivers/http/adapter-example.ts --platform android [--port 9400] [--defect <id> ...]
 *     [--obfuscation-key <64 hex>]
 *
 * The obfuscation key (64 hex characters) comes from --obfuscation-key, else env HARNESS_OBFUSCATION_KEY.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HarnessError } from '../../src/core/errors.ts';
import { PLATFORMS, type Platform, type TargetInfo } from '../../protocols/openmobile/types.ts';
import { createEmulatedDriver } from '../emulated/driver.ts';
import { startAdapterServer } from './adapter-server.ts';

export interface ExampleAdapterOptions {
  platform: Platform;
  /** Seeded defect IDs (drivers/emulated/defects.ts) to switch the emulated client into. */
  defects?: string[];
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  obfuscationKey?: string | null;
  /** Directory relative paths resolve against; default the current directory. */
  rootDir?: string;
}

export interface RunningExampleAdapter {
  url: string;
  info: TargetInfo;
  close(): Promise<void>;
}

export const DEFAULT_EXAMPLE_PORT = 9400;

export async function startExampleAdapter(options: ExampleAdapterOptions): Promise<RunningExampleAdapter> {
  const driver = await createEmulatedDriver(
    { platform: options.platform, defects: options.defects ?? [] },
    { rootDir: options.rootDir ?? process.cwd(), obfuscationKey: options.obfuscationKey ?? null },
  );
  try {
    const info = await driver.info();
    // The adapter is one device: one session for its whole life, reset by the harness between cases.
    const session = await driver.openSession();
    const server = await startAdapterServer({
      session,
      info,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    let closing: Promise<void> | null = null;
    return {
      url: server.url,
      info,
      close() {
        closing ??= (async () => {
          await server.close();
          await session.close();
          await driver.stop();
        })();
        return closing;
      },
    };
  } catch (error) {
    await driver.stop();
    throw error;
  }
}

/** Parses the command line; every problem is a HARNESS_USAGE error that says the fix. */
export function parseExampleArgs(argv: string[], env: NodeJS.ProcessEnv): ExampleAdapterOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        platform: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        defect: { type: 'string', multiple: true },
        'obfuscation-key': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new HarnessError('HARNESS_USAGE', `${(error as Error).message}. ${USAGE}`);
  }
  const platform = values.platform;
  if (platform === undefined || !(PLATFORMS as readonly string[]).includes(platform)) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--platform must be one of ${PLATFORMS.join(', ')}, got ${platform === undefined ? 'nothing' : JSON.stringify(platform)}. ${USAGE}`,
    );
  }
  const portText = values.port ?? String(DEFAULT_EXAMPLE_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new HarnessError(
      'HARNESS_USAGE',
      `--port must be a whole number from 0 to 65535, got ${JSON.stringify(portText)}`,
    );
  }
  const obfuscationKey = values['obfuscation-key'] ?? env['HARNESS_OBFUSCATION_KEY'] ?? null;
  if (obfuscationKey !== null && !/^[0-9a-fA-F]{64}$/.test(obfuscationKey)) {
    // Never echo the key itself: it is a secret even when malformed.
    throw new HarnessError(
      'HARNESS_USAGE',
      `the obfuscation key (--obfuscation-key or HARNESS_OBFUSCATION_KEY) must be 64 hex characters, got ${obfuscationKey.length} characters`,
    );
  }
  return {
    platform: platform as Platform,
    defects: values.defect ?? [],
    host: values.host ?? '127.0.0.1',
    port,
    obfuscationKey,
  };
}

const USAGE =
  'Usage: node --import tsx drivers/http/adapter-example.ts --platform ios|android [--port 9400] [--host 127.0.0.1] ' +
  '[--defect <id> ...] [--obfuscation-key <64 hex>]';

async function main(): Promise<void> {
  let adapter: RunningExampleAdapter;
  try {
    adapter = await startExampleAdapter(parseExampleArgs(process.argv.slice(2), process.env));
  } catch (error) {
    process.stderr.write(`${error instanceof HarnessError ? error.format() : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`adapter listening on ${adapter.url}\n`);
  const shutdown = (): void => {
    adapter.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while closing the adapter: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) await main();
