import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { HarnessError } from '../core/errors.ts';

export interface AllureReportOptions {
  /** The allure-results directory a run wrote. */
  resultsDir: string;
  /** Where the HTML report goes; its previous `history/` feeds the trend graphs. */
  reportDir: string;
  /**
   * One self-contained index.html (data inlined) that opens from `file://`: the multi-file report fetches
   * its data and a browser refuses fetches from a page opened from disk ("Failed to fetch").
   */
  singleFile?: boolean;
  /** The command that makes results, as the messages print it (with the run's `--config`). */
  runCommand?: string;
}

const JAVA_FIX = 'Java 8+ is needed for the HTML report: apt-get install default-jre-headless (or set JAVA_HOME)';

/**
 * Generates the Allure HTML report with the bundled allure-commandline. The previous report's `history/`
 * is copied into the results first, which is how Allure carries trends (pass rate, duration) from run to
 * run. Every failure is a HarnessError that says what to do.
 */
export async function generateAllureReport(options: AllureReportOptions): Promise<{ indexHtml: string }> {
  const resultsDir = resolve(options.resultsDir);
  const reportDir = resolve(options.reportDir);
  const runCommand = options.runCommand ?? 'npx harness run';

  if (!existsSync(resultsDir) || !statSync(resultsDir).isDirectory()) {
    throw new HarnessError('HARNESS_REPORT_FAILED', `no Allure results at ${resultsDir}: run \`${runCommand}\` first`);
  }
  if (!readdirSync(resultsDir).some((name) => name.endsWith('-result.json'))) {
    throw new HarnessError(
      'HARNESS_REPORT_FAILED',
      `${resultsDir} holds no test results: run \`${runCommand}\` first (with the allure reporter enabled)`,
    );
  }

  await checkJava();

  const previousHistory = join(reportDir, 'history');
  if (existsSync(previousHistory)) {
    const history = join(resultsDir, 'history');
    rmSync(history, { recursive: true, force: true });
    cpSync(previousHistory, history, { recursive: true });
  }

  const allure = allureBinary();
  try {
    // No shell: paths with spaces or quotes reach allure exactly as given.
    const args = ['generate', resultsDir, '--clean', '-o', reportDir];
    // The title: executor.json's reportName (the specifications the run tested), else Allure's own.
    const name = reportName(resultsDir);
    if (name !== null) args.push('--report-name', name);
    if (options.singleFile === true) args.push('--single-file');
    await run(allure, args);
  } catch (error) {
    throw new HarnessError(
      'HARNESS_REPORT_FAILED',
      `allure generate failed: ${failureText(error)}\n  If the results are damaged, run \`${runCommand}\` again; the report needs Java 8+ (java -version).`,
    );
  }

  const indexHtml = join(reportDir, 'index.html');
  if (!existsSync(indexHtml)) {
    throw new HarnessError('HARNESS_REPORT_FAILED', `allure generate finished but wrote no ${indexHtml}`);
  }
  return { indexHtml };
}

function reportName(resultsDir: string): string | null {
  try {
    const executor = JSON.parse(readFileSync(join(resultsDir, 'executor.json'), 'utf8')) as { reportName?: unknown };
    return typeof executor.reportName === 'string' && executor.reportName !== '' ? executor.reportName : null;
  } catch {
    return null;
  }
}

function allureBinary(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('allure-commandline/package.json');
  } catch {
    throw new HarnessError(
      'HARNESS_REPORT_FAILED',
      'allure-commandline is not installed: run `npm install` in the harness directory',
    );
  }
  return join(dirname(packageJson), 'dist', 'bin', process.platform === 'win32' ? 'allure.bat' : 'allure');
}

/** The allure script picks JAVA_HOME's java first, then `java` on the PATH; check the same one. */
async function checkJava(): Promise<void> {
  const javaHome = process.env['JAVA_HOME'];
  const java = javaHome ? join(javaHome, 'bin', process.platform === 'win32' ? 'java.exe' : 'java') : 'java';
  try {
    await run(java, ['-version']);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${java} not found` : failureText(error);
    throw new HarnessError('HARNESS_REPORT_FAILED', `${why}. ${JAVA_FIX}`);
  }
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        Object.assign(error, { stdout, stderr });
        reject(error);
      } else {
        resolvePromise({ stdout, stderr });
      }
    });
  });
}

function failureText(error: unknown): string {
  const e = error as { message?: string; stderr?: string; stdout?: string };
  const output = `${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim();
  const tail = output.split('\n').slice(-10).join('\n');
  return tail || e.message || String(error);
}
