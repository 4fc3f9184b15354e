/**
 * A headless Chromium for the console tests: the system browser (Debian package
 * `chromium`) driven by playwright-core, with a fresh profile, no network beyond what the
 * page asks for, and every console message, page error and dialog recorded so a test can
 * assert there were none. Screenshots go to test-artifacts/console/ (ignored by git).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/tmp.js';

export const ARTIFACTS_DIR = path.join(repoRoot(), 'test-artifacts', 'console');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** The system Chromium's path; throws one line saying what to install when it is absent. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found !== '') return found;
    } catch {
      // not this name
    }
  }
  throw new Error('no Chromium found: install the Debian package `chromium` (apt-get install -y chromium); .ci/run does');
}

export interface Watched {
  page: Page;
  /** Console messages of type error or warning, page errors, and dialogs (alert, confirm). */
  problems: string[];
  dialogs: string[];
  /** Every URL the tab requested. */
  requests: string[];
}

export class TestBrowser {
  private constructor(private readonly browser: Browser, private readonly context: BrowserContext) {}

  static async launch(): Promise<TestBrowser> {
    // playwright gives every launch a fresh temporary profile (user-data dir) of its own.
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    return new TestBrowser(browser, context);
  }

  /** A new tab whose problems are recorded from its first request on. */
  async page(): Promise<Watched> {
    const page = await this.context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    return { page, problems, dialogs, requests };
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }
}

/** Loads `url` and waits until the console has rendered it (body[data-ready]). */
export async function openPage(w: Watched, url: string): Promise<void> {
  await w.page.goto(url, { waitUntil: 'load' });
  await w.page.waitForSelector('body[data-ready]', { timeout: 20_000 });
}

export async function screenshot(w: Watched, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await w.page.screenshot({ path: file, fullPage: true });
  return file;
}
