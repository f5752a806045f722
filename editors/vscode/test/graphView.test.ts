// The graph view's page in headless Chromium: it draws the nodes it is sent,
// shows a title on hover, posts "open this note" on a click, and redraws
// when new data arrives. Screenshots go to out/test/screenshots/.
//
// Chromium comes from the system (`apt-get install chromium`; CHROMIUM to
// point elsewhere). Without it the test is skipped, except in CI (CI=true or
// CARNET_REQUIRE_GRAPH_TOOLS=1), where it fails.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { chromium, type Page } from 'playwright-core';

import { defaultState, graphParams, packEdges, parseState } from '../src/graphState';
import { bundle, chromiumArgs, executable, openPage, screenshots, send } from './graphPage';

const required = process.env.CI === 'true' || process.env.CARNET_REQUIRE_GRAPH_TOOLS === '1';

type Node = { path: string; kind: string; title: string; folder: string; tags: string[]; backlinks: number; outgoing: number };

function note(p: string, backlinks: number, tags: string[] = [], kind = 'note'): Node {
  const folder = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
  const title = path.basename(p, '.md');
  return { path: p, kind, title, folder, tags, backlinks, outgoing: 1 };
}

/** A known neighbourhood: Hub and the notes one link away, one of them missing. */
const neighbourhood = {
  rootUri: 'file:///vault',
  center: 'Hub.md',
  nodes: [
    note('Hub.md', 4),
    note('Ideas/Alpha.md', 1, ['idea']),
    note('Ideas/Beta.md', 1, ['idea']),
    note('Journal/2024-01-01.md', 0, ['daily']),
    note('People/Ann.md', 2),
    note('Someday.md', 1, [], 'unresolved'),
  ],
  edges: [
    { source: 'Hub.md', target: 'Ideas/Alpha.md', kind: 'wiki', count: 1 },
    { source: 'Hub.md', target: 'Ideas/Beta.md', kind: 'wiki', subpath: 'Intro', count: 2 },
    { source: 'Hub.md', target: 'Ideas/Beta.md', kind: 'embed', count: 1 },
    { source: 'Journal/2024-01-01.md', target: 'Hub.md', kind: 'wiki', count: 1 },
    { source: 'People/Ann.md', target: 'Hub.md', kind: 'frontmatter', count: 1 },
    { source: 'Hub.md', target: 'People/Ann.md', kind: 'markdown', count: 1 },
    { source: 'Hub.md', target: 'Someday.md', kind: 'wiki', count: 1 },
  ],
};

function available(): boolean {
  if (fs.existsSync(executable) && fs.existsSync(bundle)) {
    return true;
  }
  const why = `${fs.existsSync(executable) ? bundle : executable} not found`;
  assert.ok(!required, `${why} (CI needs Chromium: .ci/run installs it)`);
  console.log(`SKIPPED: graph view tests: ${why}`);
  return false;
}

async function graphAttr(page: Page, name: string): Promise<string | null> {
  return page.getAttribute('#graph', `data-${name}`);
}

test('graph view state and request parameters', () => {
  assert.deepEqual(parseState({ mode: 'vault', depth: 3, colorBy: 'tag', unresolved: false }), {
    mode: 'vault',
    depth: 3,
    colorBy: 'tag',
    unresolved: false,
  });
  assert.equal(parseState({ ...defaultState, depth: 4 }), undefined);
  assert.equal(parseState('local'), undefined);
  assert.deepEqual(graphParams(defaultState, 'file:///v/a.md'), {
    includeUnresolved: true,
    edges: 'pairs',
    textDocument: { uri: 'file:///v/a.md' },
    depth: 1,
  });
  assert.deepEqual(graphParams({ ...defaultState, mode: 'vault', unresolved: false }, 'file:///v/a.md'), {
    includeUnresolved: false,
    edges: 'pairs',
    textDocument: { uri: 'file:///v/a.md' },
  });
  assert.deepEqual(graphParams(defaultState, undefined), { includeUnresolved: true, edges: 'pairs' });
});

test('index pairs travel to the view as one base64 string; other edges unchanged', () => {
  const packed = packEdges({ center: null, nodes: [], edges: [[0, 1, 2], [1, 70000, 1]] }) as { edges: unknown[]; packedEdges: string };
  assert.deepEqual(packed.edges, []);
  const bytes = Buffer.from(packed.packedEdges, 'base64');
  assert.deepEqual([...new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)], [0, 1, 2, 1, 70000, 1]);
  assert.equal(packEdges(neighbourhood), neighbourhood);
  assert.equal(packEdges(null), null);
});

test('the graph view draws, hovers, opens and redraws in Chromium', async (t) => {
  if (!available()) {
    t.skip('no Chromium');
    return;
  }
  fs.mkdirSync(screenshots, { recursive: true });
  const browser = await chromium.launch({ executablePath: executable, args: chromiumArgs });
  try {
    const page = await openPage(browser, 'light');
    await send(page, neighbourhood);
    await page.waitForSelector('#graph[data-ready="true"]');
    assert.equal(await graphAttr(page, 'nodes'), '6', 'every node of the neighbourhood is drawn');
    // Two links from Hub to Beta are one line; Hub ⇄ Ann are two directions.
    assert.equal(await graphAttr(page, 'edges'), '6');
    assert.equal(await graphAttr(page, 'center'), 'Hub.md');
    assert.equal(await page.textContent('#status'), '6 notes, 8 links');
    await page.screenshot({ path: path.join(screenshots, 'graph-view-light.png') });

    // Hover shows the title; a click asks the extension to open the note.
    const at = await page.evaluate(() =>
      (globalThis as unknown as { carnetGraph: { pagePosition(p: string): { x: number; y: number } } }).carnetGraph.pagePosition(
        'People/Ann.md',
      ),
    );
    assert.ok(at, 'Ann is on the page');
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('#hover[data-path="People/Ann.md"]');
    assert.equal(await page.textContent('#hover'), 'Ann — People/Ann.md');
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() =>
      (globalThis as unknown as { posted: { type: string; path?: string }[] }).posted.some(
        (m) => m.type === 'open' && m.path === 'People/Ann.md',
      ),
    );

    // New data (an edit added a link): drawn again, the old nodes where they were.
    const before = await page.evaluate(() =>
      (globalThis as unknown as { carnetGraph: { pagePosition(p: string): unknown } }).carnetGraph.pagePosition('Hub.md'),
    );
    const grown = {
      ...neighbourhood,
      nodes: [...neighbourhood.nodes, note('Ideas/Gamma.md', 1, ['idea'])],
      edges: [...neighbourhood.edges, { source: 'Hub.md', target: 'Ideas/Gamma.md', kind: 'wiki', count: 1 }],
    };
    // As the extension sends it: edges as [source, target, links] node
    // indexes (what it asks the server for), packed into one string.
    const index = new Map(grown.nodes.map((n, i) => [n.path, i]));
    const pairs = grown.edges.map((e) => [index.get(e.source), index.get(e.target), e.count]);
    await send(page, packEdges({ ...grown, edges: pairs }));
    await page.waitForSelector('#graph[data-draws="2"]');
    assert.equal(await graphAttr(page, 'nodes'), '7');
    assert.equal(await graphAttr(page, 'edges'), '7');
    const after = await page.evaluate(() =>
      (globalThis as unknown as { carnetGraph: { pagePosition(p: string): unknown } }).carnetGraph.pagePosition('Hub.md'),
    );
    assert.ok(after && before, 'Hub is still drawn');

    // A big graph still being drawn gives way to one sent after it.
    const many = Array.from({ length: 4000 }, (_, i) => note(`Many/n${i}.md`, 3));
    const manyPairs = Array.from({ length: 40000 }, (_, i) => [i % 4000, (i * 7 + 1) % 4000, 1]);
    await send(page, packEdges({ rootUri: 'file:///vault', center: null, nodes: many, edges: manyPairs }));
    await send(page, neighbourhood);
    await page.waitForFunction(() => document.getElementById('graph')?.dataset.ready === 'true');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await graphAttr(page, 'nodes'), '6', 'the later graph is the one drawn');
    assert.equal(await graphAttr(page, 'center'), 'Hub.md');

    // Changing a control tells the extension, which asks the server again.
    await page.selectOption('#mode', 'vault');
    await page.waitForFunction(() =>
      (globalThis as unknown as { posted: { type: string; state?: { mode: string } }[] }).posted.some(
        (m) => m.type === 'state' && m.state?.mode === 'vault',
      ),
    );
    assert.equal(await page.isDisabled('#depth'), true, 'depth is for the local graph');
    await page.screenshot({ path: path.join(screenshots, 'graph-view-redrawn.png') });

    // The dark theme: the page background follows VS Code's variables.
    const dark = await openPage(browser, 'dark');
    await send(dark, grown);
    await dark.waitForSelector('#graph[data-ready="true"]');
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(30, 30, 30)');
    await dark.screenshot({ path: path.join(screenshots, 'graph-view-dark.png') });
  } finally {
    await browser.close();
  }
});
