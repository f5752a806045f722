/// <reference lib="dom" />
// The graph view's page in headless Chromium, for its test and for
// test/graph-perf.js: the page as the extension builds it, with a stand-in
// for the webview API that records what the page posts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Browser, Page } from 'playwright-core';

import { graphHtml } from '../src/graphHtml';

export const executable = process.env.CHROMIUM ?? '/usr/bin/chromium';
const here = path.resolve(__dirname, '..', '..');
export const bundle = path.join(here, 'out', 'webview', 'graph.js');
export const screenshots = path.join(here, 'out', 'test', 'screenshots');

/** Flags for a headless Chromium with no GPU and no network. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-extensions',
  '--disable-sync',
  '--no-first-run',
  // WebGL without a GPU: the software renderer.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Opens the graph view's page as the extension builds it, with a stand-in
 * for the webview API that records what the page posts. */
export async function openPage(browser: Browser, theme: 'light' | 'dark'): Promise<Page> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carnet-graph-'));
  const html = graphHtml({ script: pathToFileURL(bundle).href, cspSource: 'file:', nonce: 'test' });
  const file = path.join(dir, 'graph.html');
  fs.writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 900, height: 650 } });
  await page.addInitScript((dark: boolean) => {
    const w = globalThis as unknown as { posted: unknown[]; acquireVsCodeApi: () => unknown };
    w.posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.posted.push(m), getState() {}, setState() {} });
    // What VS Code puts on the body: the theme's class and colour variables.
    document.addEventListener('DOMContentLoaded', () => {
      document.body.classList.add(dark ? 'vscode-dark' : 'vscode-light');
      const vars: Record<string, string> = dark
        ? { '--vscode-editor-background': '#1e1e1e', '--vscode-foreground': '#cccccc' }
        : { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#333333' };
      for (const [k, v] of Object.entries(vars)) {
        document.body.style.setProperty(k, v);
      }
    });
  }, theme === 'dark');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() =>
    (globalThis as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'ready'),
  );
  if (errors.length > 0) {
    throw new Error(`the page failed: ${errors.join('; ')}`);
  }
  return page;
}

export async function send(page: Page, data: unknown): Promise<void> {
  await page.evaluate((d) => globalThis.postMessage({ type: 'graph', data: d, state: null }, '*'), data);
}

