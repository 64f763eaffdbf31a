/**
 * `harness report`: the Allure HTML report from a run's results, with the requirements page beside it;
 * `--single-file` for one file that opens from disk, `--open` to serve it on loopback until Ctrl-C.
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { harnessCommand, type CommandContext } from '../core/commands.ts';
import { HarnessError } from '../core/errors.ts';
import { generateAllureReport } from '../reporters/index.ts';
import { suiteCatalogs } from './builtins.ts';
import { requirementsPage } from './requirements-page.ts';

export interface ReportOptions {
  /** Serve the report on loopback and wait for Ctrl-C (like `allure open`). */
  open: boolean;
  /** One self-contained index.html that opens from `file://`. */
  singleFile: boolean;
  /** The port to serve on with `open` (default 0: any free port). */
  port: number;
}

export interface ReportIo {
  cwd: string;
  stdout: (text: string) => void;
}

export async function report(
  config: ResolvedConfig,
  options: ReportOptions,
  io: ReportIo,
  commands?: CommandContext,
): Promise<number> {
  const reportDir = path.join(config.outputDir, 'allure-report');
  const { indexHtml } = await generateAllureReport({
    resultsDir: path.join(config.outputDir, 'allure-results'),
    reportDir,
    singleFile: options.singleFile,
    ...(commands === undefined ? {} : { runCommand: harnessCommand(commands, 'run') }),
  });
  // Every suite's requirements, whichever the run tested: a link `requirements.html#<id>` always lands.
  const sections = suiteCatalogs();
  writeFileSync(path.join(reportDir, 'requirements.html'), requirementsPage(sections));
  const shown = path.relative(io.cwd, indexHtml) || indexHtml;
  if (!options.open) {
    io.stdout(
      options.singleFile
        ? `Allure report (one file, opens from disk): ${shown}\n`
        : `Allure report: ${shown}\n` +
            '  It loads its data over HTTP: `npx harness report --open` serves it, or `npx harness report --single-file`\n' +
            '  writes one that opens from disk.\n',
    );
    return 0;
  }
  const served = await serveDirectory(reportDir, options.port);
  io.stdout(`Allure report: ${shown}\nServing it at ${served.url} (Ctrl-C to stop)\n`);
  await stopSignal();
  await served.close();
  io.stdout('Stopped serving the report.\n');
  return 0;
}

/**
 * Resolves on the first SIGINT or SIGTERM: stopping the server is the normal end of `report --open` and of
 * `serve profiles`.
 */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/**
 * A read-only static server for `root` on 127.0.0.1 (loopback only: a report holds a target's answers).
 * GET and HEAD; a path outside `root` is refused.
 */
export async function serveDirectory(root: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const base = path.resolve(root);
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400).end('bad request');
      return;
    }
    let file = path.resolve(base, `.${pathname}`);
    if (file !== base && !file.startsWith(base + path.sep)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const size = statSync(file).size;
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-store',
      });
      if (request.method === 'HEAD') response.end();
      else
        createReadStream(file)
          .on('error', () => response.destroy())
          .pipe(response);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HarnessError(
          'HARNESS_REPORT_FAILED',
          error.code === 'EADDRINUSE'
            ? `--port ${port} is in use: choose another, or leave --port out for any free port`
            : `cannot serve the report on 127.0.0.1:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
