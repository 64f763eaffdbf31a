/**
 * `appium: 'local'`: the harness runs its own Appium 3 server on a free loopback port, with a project-local
 * APPIUM_HOME (`.harness-cache/appium`, git-ignored) into which the virtual-device driver is installed from
 * its source folder on first use (`appium driver install --source=local`, no network). Drivers for real
 * devices go into the same home: `APPIUM_HOME=.harness-cache/appium npx appium driver install uiautomator2`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HARNESS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const APPIUM_HOME = path.join(HARNESS_ROOT, '.harness-cache', 'appium');
export const VIRTUAL_DEVICE_DIR = path.join(HARNESS_ROOT, 'drivers', 'appium', 'virtual-device');
export const VIRTUAL_DRIVER_NAME = 'harness-virtual';

const require = createRequire(import.meta.url);
const APPIUM_MAIN = path.join(path.dirname(require.resolve('appium/package.json')), 'index.js');
// Appium imports the virtual driver's TypeScript; tsx is the loader the harness itself runs on.
const TSX_LOADER = import.meta.resolve('tsx');
const START_TIMEOUT_MS = 60_000;

export interface LocalAppium {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

function appiumCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, APPIUM_MAIN, ...args],
      { env: { ...process.env, ...env, APPIUM_HOME }, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`appium ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Holds a lock directory while `fn` runs: two harness processes must not install into one home at once. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(APPIUM_HOME, '.install-lock');
  mkdirSync(APPIUM_HOME, { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the install timeout was left by a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* it went away meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

let installing: Promise<void> | null = null;

/** Installs the virtual-device driver into the local APPIUM_HOME unless it is there already. */
export function ensureVirtualDriver(): Promise<void> {
  installing ??= withLock(async () => {
    // `--source=local` is `npm link`, which also links the package into npm's global prefix: point that
    // prefix inside the home so nothing outside the project changes. Peer deps (appium) are not fetched.
    const prefix = path.join(APPIUM_HOME, '.npm-global');
    mkdirSync(path.join(prefix, 'lib'), { recursive: true });
    const env = { APPIUM_OMIT_PEER_DEPS: '1', NPM_CONFIG_PREFIX: prefix };
    const installed = JSON.parse(await appiumCli(['driver', 'list', '--installed', '--json'], env)) as Record<
      string,
      unknown
    >;
    if (VIRTUAL_DRIVER_NAME in installed) return;
    await appiumCli(['driver', 'install', '--source=local', VIRTUAL_DEVICE_DIR, '--json'], env);
  }).catch((error: unknown) => {
    installing = null;
    throw error;
  });
  return installing;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForStatus(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the Appium server exited with code ${child.exitCode} while starting:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Appium server did not answer ${url}/status within ${START_TIMEOUT_MS} ms:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts Appium on 127.0.0.1. `env` reaches the server and its drivers: the virtual device reads the
 * obfuscation key from HARNESS_OBFUSCATION_KEY there, as a real app has it built in, so it never travels in
 * capabilities (which Appium logs).
 */
/**
 * `allowDriverScripts`: the virtual device runs driver scripts (drivers/appium/batch.ts): the server allows
 * the insecure feature for it only (`HarnessVirtual:execute_driver_script`), and listens on 127.0.0.1 only.
 * `HarnessVirtual:adb_shell` is always allowed (the app's version is read with `dumpsys package`).
 */
export async function startLocalAppium(
  env: Record<string, string> = {},
  options: { allowDriverScripts?: boolean } = {},
): Promise<LocalAppium> {
  await ensureVirtualDriver();
  const port = await freePort();
  const logDir = path.join(APPIUM_HOME, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `appium-${port}.log`);
  closeSync(openSync(logFile, 'w'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      APPIUM_MAIN,
      'server',
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--log',
      logFile,
      '--log-level',
      'warn:warn',
      '--log-no-colors',
      // `adb_shell`: the app's version and build are read with `dumpsys package` (AppiumDriver.identity).
      '--allow-insecure',
      [
        'HarnessVirtual:adb_shell',
        ...(options.allowDriverScripts === true ? ['HarnessVirtual:execute_driver_script'] : []),
      ].join(','),
    ],
    { env: { ...process.env, ...env, APPIUM_HOME }, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForStatus(url, child, logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    url,
    logFile,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

export function isVirtualDriverInstalled(): boolean {
  return existsSync(path.join(APPIUM_HOME, 'node_modules', 'harness-virtual-device'));
}
