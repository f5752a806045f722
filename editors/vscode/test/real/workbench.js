// What a scenario does in the VS Code window, as a user would: open a note,
// type, press keys, read what the editor, hovers, panels and notifications
// show. Everything goes through the page (keyboard, mouse, DOM); nothing
// talks to carnet directly, so a scenario sees what a user sees.
'use strict';

const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const TIMEOUT = 30000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Workbench {
  constructor(page, server, sc, dirs) {
    this.page = page;
    this.server = server;
    this.sc = sc;
    this.dirs = dirs;
    this.root = sc.root;
    this.workspaceBase = {};
  }

  abs(rel) {
    return path.join(this.root, rel);
  }

  read(rel) {
    return fs.readFileSync(this.abs(rel), 'utf8');
  }

  /** Polls `fn` until it returns a truthy value. */
  async until(what, fn, timeout = TIMEOUT) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await fn();
        if (v) {
          return v;
        }
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
      }
      await sleep(100);
    }
  }

  /** Opens the vault folder and waits for the workbench. */
  async open() {
    const url = `${this.server.url}/?folder=${encodeURIComponent(this.root)}`;
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120000 });
    await this.waitForWorkbench();
  }

  async waitForWorkbench() {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 120000 });
    await this.page.waitForSelector('.explorer-folders-view', { timeout: 120000 });
  }

  /** Installs a .vsix over the running one (a window reload loads it). */
  async installExtension(vsix) {
    await this.server.install(vsix);
  }

  /** After a failure: reload the window so the next scenario starts clean. */
  async recover() {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
    try {
      await this.closeAll();
    } catch {
      await this.page.reload({ waitUntil: 'domcontentloaded' });
      await this.waitForWorkbench();
      await this.closeAll();
    }
  }

  /** `carnet check` problems of the vault on disk, counted by code. */
  checkProblems() {
    const out = cp.spawnSync(this.sc.carnet, ['check', '--format', 'json', this.root], { encoding: 'utf8' });
    const counts = {};
    for (const line of out.stdout.split('\n').filter(Boolean)) {
      const code = JSON.parse(line).code;
      counts[code] = (counts[code] || 0) + 1;
    }
    return counts;
  }

  /** Runs a command from the command palette by its title. */
  async command(title) {
    // Out of whatever holds the keys (an Explorer row, a widget) first.
    await this.page.keyboard.press('Escape');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    // F1 does not always reach the workbench from where the focus is (after
    // an Explorer rename, say): then the editor gets the focus first.
    await this.page.keyboard.press('F1');
    if (!(await input.isVisible())) {
      await input.waitFor({ state: 'visible', timeout: 3000 }).catch(async () => {
        await this.editorFocus().catch(() => {});
        await this.page.keyboard.press('F1');
      });
    }
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await this.until('the command palette to take the keys', () =>
      input.evaluate((e) => e === document.activeElement),
    );
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(`>${title}`);
    const row = this.page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** Opens a note through Quick Open (Ctrl+P) and waits for its editor. */
  async openNote(rel) {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(rel);
    const rows = this.page.locator('.quick-input-widget .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(path.basename(rel))}$`) }),
    });
    // A note in a folder shows the folder as its description.
    const dir = dirOf(rel);
    const row = (dir === '' ? rows : rows.filter({ has: this.page.locator('.label-description', { hasText: dir }) })).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await this.until(`the editor of ${rel}`, async () => (await this.activeTab()) === path.basename(rel));
    await this.editorFocus();
    // A note opened before comes back where it was left: start at the top.
    await this.page.keyboard.press('Control+Home');
  }

  async activeTab() {
    const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active').first();
    return (await tab.count()) ? tab.getAttribute('data-resource-name') : null;
  }

  /** Focuses the active editor (a click on its text, which also moves the cursor). */
  async editorFocus() {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    const focused = () =>
      this.page.evaluate(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'));
    await lines.click();
    // A webview beside the editor (the graph view redrawing around the note
    // just opened) can take the focus back after the click: click again.
    await this.until('the editor to have focus', async () => {
      if (await focused()) {
        return true;
      }
      await sleep(200);
      if (await focused()) {
        return true;
      }
      await lines.click();
      return false;
    });
  }

  /**
   * Waits until carnet serves the open note: its document links draw as
   * `.detected-link` (at least one link must be on screen).
   */
  async ready() {
    await this.until('carnet document links in the editor', async () =>
      (await this.page.locator('.editor-group-container.active .detected-link').count()) > 0,
    60000);
  }

  /** The editor's visible lines, top to bottom, spaces as spaces. */
  async lines() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      const rows = [...editor.querySelectorAll('.view-lines .view-line')];
      rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return rows.map((r) => r.textContent.replace(/\u00a0/g, ' '));
    });
  }

  /**
   * The line holding the cursor, as shown: its text, and the text of the
   * document links drawn on it (one span per token, joined).
   */
  async cursorRow() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      const current = editor && editor.querySelector('.view-overlays .current-line');
      if (!current) {
        return null;
      }
      const top = current.parentElement.style.top || current.style.top;
      const row = [...editor.querySelectorAll('.view-lines .view-line')].find((r) => r.style.top === top);
      const text = (e) => e.textContent.replace(/\u00a0/g, ' ');
      return row
        ? { text: text(row), linked: [...row.querySelectorAll('.detected-link')].map(text).join('') }
        : null;
    });
  }

  /** The text of the line holding the cursor. */
  async cursorLine() {
    return (await this.cursorRow())?.text ?? null;
  }

  /**
   * The cursor's line once the editor has stopped redrawing it: the DOM lags
   * the keyboard by a frame or more, so one read can see half-typed text.
   */
  async settledLine() {
    let last = await this.cursorLine();
    for (let i = 0; i < 50; i++) {
      await sleep(150);
      const now = await this.cursorLine();
      if (now === last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /**
   * Makes the cursor's (new, empty) line read `want`, typed as a user types.
   * `[[` is auto-closed and whether `]]` then steps over the closing
   * brackets races the suggestion list (the completion scenario tests that),
   * so type up to the end of the link, close the list, add what is missing,
   * and start the line over if the editor still made something else of it.
   */
  async typeLine(want, upTo = want) {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page.keyboard.type(upTo);
      await this.page.keyboard.press('Escape');
      const typed = (await this.settledLine()) ?? '';
      if (want.startsWith(typed) && typed.length < want.length) {
        await this.page.keyboard.press('End');
        await this.page.keyboard.type(want.slice(typed.length));
        await this.page.keyboard.press('Escape');
      }
      await this.page.keyboard.press('End');
      const line = await this.settledLine();
      if (line === want) {
        return;
      }
      // Clear the line and try again.
      await this.page.keyboard.press('End');
      await this.page.keyboard.press('Shift+Home');
      await this.page.keyboard.press('Delete');
    }
    throw new Error(`typed line reads ${JSON.stringify(await this.settledLine())}, want ${JSON.stringify(want)}`);
  }

  /** Moves the cursor with Go to Line (Ctrl+G), `line` and `column` 1-based. */
  async goTo(line, column = 1) {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** The cursor's line and column (1-based), from the status bar. */
  async cursor() {
    const text = await this.page.locator('#status\\.editor\\.selection').textContent();
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
  }

  /**
   * Puts the cursor `offset` characters into `needle`, on line `line`
   * (1-based) of `rel` or else on the first line holding it.
   */
  async cursorOn(rel, needle, offset = 0, line = undefined) {
    const lines = this.read(rel).split(/\r\n|\r|\n/);
    const i = line !== undefined ? line - 1 : lines.findIndex((l) => l.includes(needle));
    if (i < 0 || !lines[i].includes(needle)) {
      throw new Error(`${needle} is not in ${rel}${line ? ` line ${line}` : ''}`);
    }
    // Columns count UTF-16 units, as VS Code's do.
    await this.goTo(i + 1, lines[i].indexOf(needle) + offset + 1);
    return i + 1;
  }

  /** The visible suggestion labels. */
  async suggestions() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.suggest-widget.visible .monaco-list-row .label-name')].map((e) =>
        e.textContent.trim(),
      ),
    );
  }

  /** Notification toasts' messages. */
  async notifications() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.notification-toast .notification-list-item-message')].map((e) =>
        e.textContent.trim(),
      ),
    );
  }

  /** The label of the suggestion the list has selected. */
  async focusedSuggestion() {
    return this.page.evaluate(() => {
      const row = document.querySelector('.suggest-widget.visible .monaco-list-row.focused .label-name');
      return row ? row.textContent.trim() : null;
    });
  }

  /** Whether the cursor's line shows `text` as a document link. */
  async linkOnCursorLine(text) {
    return !!(await this.cursorRow())?.linked.includes(text);
  }

  /** Opens `rel` once carnet serves it, with the cursor 2 characters into `link` (on `line`). */
  async atLink(rel, link, line = undefined) {
    await this.openNote(rel);
    await this.ready();
    await this.cursorOn(rel, link, 2, line);
  }

  /**
   * The number of references the peek view lists (from its title:
   * "References (N)" after Shift+F12, "Locations (N)" when a command such
   * as a code lens hands VS Code the locations).
   */
  async peekReferenceCount(label = 'References') {
    return this.page.evaluate((label) => {
      const title = document.querySelector('.peekview-widget .peekview-title');
      const m = title && new RegExp(`${label} \\((\\d+)\\)`).exec(title.textContent);
      return m ? Number(m[1]) : null;
    }, label);
  }

  /**
   * The References view's entries once it has its results, every note
   * expanded: `{ file, text, highlight }`, `file` the note's vault path,
   * `text` the line as shown and `highlight` the part it marks. Throws
   * unless every entry the view counts was read.
   */
  async referencesView() {
    const view = this.page.locator('.part.sidebar');
    const count = async () => {
      const m = /(\d+) results? in \d+ files?/.exec((await view.textContent()) ?? '');
      return m && Number(m[1]);
    };
    await this.until('the References view to show its results', count);
    // Files come collapsed but the one in the editor: a click expands one, and
    // the tree draws the children a moment later, so read until every result
    // the view counts has a row (reading right after the last click missed them).
    let last = { total: 0, rows: [] };
    try {
      return await this.until('every result of the References view to be drawn', async () => {
        const collapsed = view.locator('.monaco-list-row[aria-level="1"][aria-expanded="false"]');
        if ((await collapsed.count()) > 0) {
          await collapsed.first().click();
          return null;
        }
        const total = await count();
        const rows = await view.evaluate((v) => {
          const rows = [...v.querySelectorAll('.monaco-list-row')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
          const out = [];
          let file = null;
          for (const r of rows) {
            const name = r.querySelector('.label-name')?.textContent.trim() ?? '';
            if (r.getAttribute('aria-level') === '1') {
              const dir = r.querySelector('.label-description')?.textContent.trim() ?? '';
              file = dir === '' ? name : `${dir}/${name}`;
            } else {
              const mark = r.querySelector('.label-name .highlight');
              out.push({ file, text: name, highlight: mark ? mark.textContent : '' });
            }
          }
          return out;
        });
        last = { total, rows };
        return rows.length === total ? rows : null;
      });
    } catch (e) {
      throw new Error(`the References view counts ${last.total} results, ${last.rows.length} were read (${e.message})`);
    }
  }

  /** The code lens reading `title` in the active editor, once it is drawn. */
  async codeLens(title) {
    const lens = this.page
      .locator('.editor-group-container.active .codelens-decoration a', {
        hasText: new RegExp(`^${escapeRegExp(title)}$`),
      })
      .first();
    await lens.waitFor({ state: 'visible', timeout: 60000 });
    return lens;
  }

  /** The file names the references peek shows (the rows in view). */
  async peekReferenceFiles() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.peekview-widget .ref-tree .reference-file .label-name')].map((e) =>
        e.textContent.trim(),
      ),
    );
  }

  /**
   * The token under the cursor as "Developer: Inspect Editor Tokens and
   * Scopes" shows it: its rows as { key: value } (`semantic token type`,
   * `modifiers`, `foreground`, …); closes the widget.
   */
  async inspectToken() {
    await this.command('Developer: Inspect Editor Tokens and Scopes');
    const widget = this.page.locator('.token-inspect-widget').first();
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    // The semantic part arrives after the grammar's.
    await this.until('the semantic token in the inspector', () =>
      widget.evaluate((w) => /semantic token type/.test(w.textContent)),
    ).catch(() => {});
    const rows = await widget.evaluate((w) =>
      [...w.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    await this.page.keyboard.press('Escape');
    const out = {};
    for (const [k, v] of rows.filter((r) => r.length >= 2)) {
      // The first `foreground` is the colour applied; the semantic part
      // repeats the key for the theme rule that matched.
      if (!(k in out)) {
        out[k] = v;
      }
    }
    return out;
  }

  /** The Problems panel's rows, as text. */
  async problems() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => r.textContent),
    );
  }

  /** Picks `title` in the open code action menu. */
  async chooseAction(title) {
    const item = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    await item.waitFor({ state: 'visible', timeout: TIMEOUT });
    await item.click();
  }

  /** Types a new name into the rename box (F2) once it holds focus, and accepts. */
  async renameTo(name) {
    const input = this.page.locator('.rename-box .rename-input');
    await this.until('the rename box to hold focus', () =>
      input.evaluate((e) => e === document.activeElement || e.contains(document.activeElement)),
    );
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(name);
    await this.page.keyboard.press('Enter');
  }

  /**
   * Renames `rel` (a note or folder) in the Explorer to `name`, and accepts
   * the refactoring carnet asks for, as a user would.
   */
  async explorerRename(rel, name) {
    const parts = rel.split('/');
    // The tree draws only the rows on screen: collapse every folder (the
    // Explorer's own button), then expand each parent.
    await this.page.locator('.explorer-folders-view').hover();
    const collapse = this.page.locator('.pane-header .actions a[aria-label^="Collapse Folders in Explorer"]').first();
    await collapse.click({ force: true, timeout: TIMEOUT });
    for (let i = 1; i < parts.length; i++) {
      const folder = this.explorerRow(parts.slice(0, i).join('/'));
      await folder.waitFor({ state: 'visible', timeout: TIMEOUT });
      if ((await folder.getAttribute('aria-expanded')) !== 'true') {
        await folder.click();
      }
    }
    const row = this.explorerRow(rel);
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await this.page.keyboard.press('F2');
    await this.until('the rename box in the Explorer to hold focus', () =>
      this.page.evaluate(() => document.activeElement?.tagName === 'INPUT' && !!document.activeElement.closest('.explorer-folders-view')),
    );
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(name);
    await this.page.keyboard.press('Enter');
    // "Extension 'carnet — Markdown notes' wants to make refactoring changes with this file move"
    const ok = this.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: /^OK$/ });
    await ok.waitFor({ state: 'visible', timeout: TIMEOUT });
    await ok.click();
  }

  /** The Explorer's row of `rel`: its name, at its depth. */
  explorerRow(rel) {
    const depth = rel.split('/').length;
    return this.page
      .locator(`.explorer-folders-view .monaco-list-row[aria-level="${depth}"]`)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(path.basename(rel))}$`) }) })
      .first();
  }

  /**
   * Checks lines on disk: each `{ source, line, text }` must read `text`;
   * `moved` maps a source that was renamed to its new path.
   */
  expectLines(lines, moved = {}) {
    for (const b of lines) {
      const rel = moved[b.source] ?? b.source;
      const got = this.read(rel).split(/\r\n|\r|\n/)[b.line - 1];
      if (got !== b.text) {
        throw new Error(`${rel}:${b.line}:\n  got  ${got}\n  want ${b.text}`);
      }
    }
  }

  /**
   * The frame of carnet's graph view (the webview's page, two iframes
   * down), once it is there.
   */
  async graphFrame() {
    return this.until('the graph view', async () => {
      for (const f of this.page.frames()) {
        if (await f.$('#graph').catch(() => null)) {
          return f;
        }
      }
      return null;
    });
  }

  /**
   * Waits until the graph view has drawn the local graph of `note` and it
   * holds exactly `nodes` (vault paths), and returns what it shows.
   */
  async graphOf(frame, note, nodes) {
    const seen = () =>
      frame.evaluate((paths) => {
        const g = document.getElementById('graph');
        return {
          ready: g.dataset.ready === 'true',
          center: g.dataset.center,
          count: Number(g.dataset.nodes),
          status: document.getElementById('status').textContent,
          drawn: paths.filter((p) => window.carnetGraph.pagePosition(p)),
        };
      }, nodes);
    let last;
    await this.until(`the graph of ${note} with ${nodes.length} nodes`, async () => {
      last = await seen();
      return last.ready && last.center === note && last.count === nodes.length && last.drawn.length === nodes.length;
    }).catch((e) => {
      const missing = nodes.filter((n) => !last?.drawn.includes(n));
      throw new Error(`${e.message}: it shows ${JSON.stringify(last)}; not drawn: ${JSON.stringify(missing)}`);
    });
    return last;
  }

  /** Points at the node of `note` in the graph view, checks that it is the one under the mouse, and clicks it. */
  async clickGraphNode(frame, note) {
    const graph = frame.locator('#graph');
    const at = await frame.evaluate((p) => {
      const q = window.carnetGraph.pagePosition(p);
      const box = document.getElementById('graph').getBoundingClientRect();
      return q && { x: q.x - box.left, y: q.y - box.top };
    }, note);
    if (!at) {
      throw new Error(`${note} is not drawn in the graph`);
    }
    await graph.hover({ position: at });
    await this.until(`the mouse over ${note} in the graph`, async () =>
      (await frame.locator('#hover').getAttribute('data-path')) === note,
    5000);
    await graph.click({ position: at });
  }

  /**
   * The editor groups, left to right, each as its tabs: `name` a file's
   * name (as `activeTab` gives it), `label` what the tab reads.
   */
  async editorGroups() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.editor-group-container')]
        .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
        .map((g) =>
          [...g.querySelectorAll('.tabs-container .tab')].map((t) => ({
            name: t.getAttribute('data-resource-name'),
            label: t.querySelector('.label-name')?.textContent.trim(),
          })),
        ),
    );
  }

  /** The remote extension host's log (activation events). */
  extHostLog() {
    return this.logs(/remoteexthost\.log$/);
  }

  /** Merges `patch` into the User settings (`undefined` removes a key). */
  userSettings(patch) {
    const file = path.join(this.dirs.userData, 'User', 'settings.json');
    const now = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...now, ...patch }, null, 2));
  }

  /** The hover's text and its links (text and href), once it shows `want`. */
  async hover(want) {
    const el = this.page.locator('.monaco-hover:not(.hidden) .hover-contents').first();
    await this.until(`a hover showing ${want}`, async () =>
      (await el.count()) > 0 && (await el.textContent()).includes(want),
    );
    return el.evaluate((e) => ({
      text: e.textContent,
      html: e.innerHTML,
      links: [...e.querySelectorAll('a')].map((a) => ({
        text: a.textContent,
        href: a.getAttribute('data-href') || a.getAttribute('href') || '',
      })),
    }));
  }

  /** Files open in the window that have unsaved changes. */
  async dirtyTabs() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.tabs-container .tab.dirty')].map((e) => e.getAttribute('data-resource-name')),
    );
  }

  async saveAll() {
    await this.command('File: Save All Files');
    await this.until('every file saved', async () => (await this.dirtyTabs()).length === 0);
  }

  /** Reverts and closes every editor, so that the next scenario starts clean. */
  async closeAll() {
    await this.page.keyboard.press('Escape');
    for (let i = 0; i < 50; i++) {
      if ((await this.page.locator('.tabs-container .tab').count()) === 0) {
        return;
      }
      await this.command('View: Revert and Close Editor');
    }
    throw new Error('editors did not close');
  }

  /**
   * The carnet output channel, as the extension host logged it to disk
   * (reading the Output panel's editor would show only its visible part).
   */
  carnetLog() {
    return this.logs(/-carnet\.log$/);
  }

  /** The code-server log files whose names match, concatenated. */
  logs(name) {
    const out = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else if (name.test(e.name)) {
          out.push(fs.readFileSync(p, 'utf8'));
        }
      }
    };
    const logs = path.join(this.dirs.userData, 'logs');
    if (fs.existsSync(logs)) {
      walk(logs);
    }
    return out.join('\n');
  }

  /**
   * Writes the vault's workspace settings (.vscode/settings.json): the
   * scenario's `settings` over `this.workspaceBase`, which holds what every
   * scenario runs with (carnet.server.path, from 00-settings-arrive-late on).
   */
  workspaceSettings(settings) {
    const dir = this.abs('.vscode');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...this.workspaceBase, ...settings }, null, 2));
  }
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function dirOf(rel) {
  const d = path.dirname(rel);
  return d === '.' ? '' : d;
}

module.exports = { Workbench, sleep, TIMEOUT };
