/**
 * The web console's files, served read-only under `/ui/` by the daemon's HTTP server.
 *
 * The files are plain HTML, CSS and ES modules in the package's `console/` folder (no
 * build step; tsc does not touch them), found from this module's place: dist/src/console/
 * after `npm run build`, src/console/ never runs. They are read once, at the first request,
 * into memory (a few dozen KiB); a file over CONSOLE_FILE_BYTES_MAX is refused.
 *
 * Pages (`/ui/`, `/ui/fleet`, `/ui/resource`, ...) all answer index.html; the script reads
 * the path and the query string, so every view is a permalink. Every answer carries a
 * strict Content-Security-Policy (scripts and styles only from this origin, no inline
 * script, no other origin contacted), nosniff, no framing and no referrer. The files hold
 * no data: the pages fetch it from /v1/... with the bearer token when one is configured,
 * so they are served without one (a browser cannot send a header when it navigates).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_FILE_BYTES_MAX } from '../limits.js';

export const CONSOLE_PREFIX = '/ui/';

/** The console's views; each is a path under /ui/ that answers index.html. */
export const CONSOLE_PAGES = ['fleet', 'resource', 'changes', 'waste', 'health'] as const;

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; "
    + "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    + "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class ConsoleFiles {
  private files: Map<string, { type: string; body: Buffer }> | null = null;

  constructor(readonly root: string = defaultConsoleRoot()) {}

  /** The answer for a GET of `pathname` (under /ui/), or null when there is no such file. */
  answer(pathname: string): StaticAnswer | null {
    assert.ok(pathname.startsWith(CONSOLE_PREFIX), 'a console path');
    const files = (this.files ??= loadFiles(this.root));
    const rest = pathname.slice(CONSOLE_PREFIX.length);
    const isPage = rest === '' || (CONSOLE_PAGES as readonly string[]).includes(rest);
    const file = files.get(isPage ? 'index.html' : rest);
    if (file === undefined) return null;
    return {
      status: 200,
      headers: {
        ...CONSOLE_SECURITY_HEADERS,
        'content-type': file.type,
        'cache-control': 'no-cache',
        'content-length': String(file.body.length),
      },
      body: file.body,
    };
  }
}

/** `console/` at the package root: three levels above dist/src/console/. */
export function defaultConsoleRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console');
}

/** Every servable file directly in `root` (flat: no subfolders, no dot files). */
function loadFiles(root: string): Map<string, { type: string; body: Buffer }> {
  const out = new Map<string, { type: string; body: Buffer }>();
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const type = CONTENT_TYPES[path.extname(entry.name)];
    if (!entry.isFile() || entry.name.startsWith('.') || type === undefined) continue;
    const full = path.join(root, entry.name);
    const size = fs.statSync(full).size;
    if (size > CONSOLE_FILE_BYTES_MAX) {
      throw new Error(`console file ${full} is ${size} bytes, over ${CONSOLE_FILE_BYTES_MAX}`);
    }
    out.set(entry.name, { type, body: fs.readFileSync(full) });
  }
  if (!out.has('index.html')) {
    throw new Error(`the web console's files are missing: no index.html in ${root}`);
  }
  return out;
}
