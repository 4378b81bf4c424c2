/**
 * The running system the admin UI tests drive: the UI built into admin-ui/dist, the real server
 * on a free port over a temporary data directory seeded from `policies/`, tokens for each role,
 * and one browser. Screenshots go to test-artifacts/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { buildUi } from '../../admin-ui/build.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';

export type TestRole = 'admin' | 'author' | 'author2' | 'reviewer' | 'viewer';

export interface Harness {
  server: RunningServer;
  browser: TestBrowser;
  tokens: Record<TestRole, string>;
  /** A fresh page (own storage), logged in as `role` and showing `hash`. */
  open(role: TestRole | undefined, hash?: string, viewport?: { width: number; height: number }): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

export async function startHarness(): Promise<Harness> {
  const uiDir = await buildUi({ minify: false });
  const dataDir = mkdtempSync(join(tmpdir(), 'tiaowen-ui-'));
  const server = await startServer({ dataDir, port: 0, policiesDir: join(ROOT, 'policies'), uiDir });
  const create = async (role: 'admin' | 'author' | 'reviewer' | 'viewer', name: string) => (await server.deps.auth.create(role, name, 'test')).token;
  const tokens: Record<TestRole, string> = {
    admin: server.adminToken ?? (await create('admin', 'admin')),
    author: await create('author', '起草人甲'),
    author2: await create('author', '起草人乙'),
    reviewer: await create('reviewer', '审核人丙'),
    viewer: await create('viewer', '查看者丁'),
  };
  const browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
  return {
    server,
    browser,
    tokens,
    async open(role, hash = '#/library', viewport) {
      const ctx = await browser.context(viewport);
      if (role) {
        // The token lives in sessionStorage, as after a login through the form.
        await ctx.addInitScript((token) => sessionStorage.setItem('tiaowen.token', token), tokens[role]);
      }
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error('[browser]', e.message));
      await page.goto(`${server.url}/${hash}`);
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
