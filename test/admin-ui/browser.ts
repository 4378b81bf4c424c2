/**
 * One headless Chromium for the admin UI's end-to-end tests: the system's `/usr/bin/chromium`
 * when there is one, else the binary shipped inside the `@sparticuz/chromium` npm package
 * (no download at run time), with a fresh profile per launch.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function chromiumPath(): Promise<string> {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  // The package points fontconfig at its own few fonts; keep the system's (CJK) fonts when present.
  const systemFonts = existsSync('/etc/fonts/fonts.conf');
  const before = process.env.FONTCONFIG_PATH;
  const { default: packaged } = await import('@sparticuz/chromium');
  const path = await packaged.executablePath();
  if (systemFonts && before === undefined) process.env.FONTCONFIG_PATH = '/etc/fonts';
  return path;
}

export interface TestBrowser {
  browser: Browser;
  /** A new isolated context (own storage) at the given viewport. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = await chromiumPath();
  // playwright-core's launch gives Chromium a fresh temporary --user-data-dir of its own (and
  // refuses one in args); contexts are isolated from each other on top of that.
  const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
  return {
    browser,
    context: (viewport = { width: 1366, height: 768 }) => browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }),
    async close() {
      await browser.close();
    },
  };
}
