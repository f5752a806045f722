// How the graph view copes with a large vault, in headless Chromium:
//
//   carnet graph VAULT > graph.json
//   node editors/vscode/test/graph-perf.js graph.json
//
// (after `npm run build`). Prints the time from the message to the first
// frame, and frame times while ForceAtlas2 lays the graph out in its worker
// and while the user zooms. WebGL runs on SwiftShader (no GPU), so a real
// GPU only does better. docs/performance.md has the figures.
/* global document, performance, requestAnimationFrame, PerformanceObserver, MutationObserver */
'use strict';

const fs = require('node:fs');
const { chromium } = require('playwright-core');
const { chromiumArgs, executable, openPage } = require('../out/test/graphPage.js');

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
  return `p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} frames)`;
};

/** Frame intervals (ms) for `ms`, and the long tasks seen meanwhile. */
const frames = (page, ms) =>
  page.evaluate(
    (ms) =>
      new Promise((done) => {
        const deltas = [];
        const long = [];
        const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
        obs.observe({ entryTypes: ['longtask'] });
        let last = performance.now();
        const end = last + ms;
        const tick = (now) => {
          deltas.push(now - last);
          last = now;
          if (now < end) {
            requestAnimationFrame(tick);
          } else {
            obs.disconnect();
            done({ deltas, long });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );

async function main() {
  const data = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  data.center = null;
  // The view asks the server for edges as [source, target, links] index
  // pairs (`edges: "pairs"`); `carnet graph` writes them as objects.
  const index = new Map(data.nodes.map((n, i) => [n.path, i]));
  data.edges = data.edges.map((e) => [index.get(e.source), index.get(e.target), e.count]);
  const browser = await chromium.launch({ executablePath: executable, args: chromiumArgs });
  try {
    const page = await openPage(browser, 'dark');
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
      return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : 'unknown';
    });
    console.log(`WebGL renderer: ${renderer}`);
    console.log(`graph: ${data.nodes.length} nodes, ${data.edges.length} edges`);
    // The data goes in first, untimed: what is timed is the page's work.
    await page.evaluate((d) => {
      globalThis.perfData = d;
    }, data);
    const wall = await page.evaluate(
      () =>
        new Promise((done) => {
          const graph = document.getElementById('graph');
          const t0 = performance.now();
          new MutationObserver((_, obs) => {
            if (graph.dataset.ready === 'true' && graph.dataset.firstDrawMs) {
              obs.disconnect();
              done(performance.now() - t0);
            }
          }).observe(graph, { attributes: true });
          globalThis.postMessage({ type: 'graph', data: globalThis.perfData, state: null }, '*');
        }),
    );
    const inPage = await page.getAttribute('#graph', 'data-first-draw-ms');
    console.log(`first draw: ${inPage} ms from the message's arrival, ${wall.toFixed(0)} ms from postMessage`);
    console.log(`phases (ms): ${await page.getAttribute('#graph', 'data-phases')}`);
    console.log(`drawn: ${await page.getAttribute('#graph', 'data-nodes')} nodes, ${await page.getAttribute('#graph', 'data-edges')} edges`);
    const layout = await frames(page, 5000);
    console.log(`frames while the layout runs (first 5 s): ${stats(layout.deltas)}; long tasks: ${layout.long.length}`);
    await page.waitForSelector('#graph[data-layout="stopped"]', { timeout: 30000 });
    // Zooming in and out over the middle, as with a mouse wheel.
    const zoom = frames(page, 3000);
    for (let i = 0; i < 30; i++) {
      await page.mouse.move(450, 350);
      await page.mouse.wheel(0, i % 10 < 5 ? -200 : 200);
      await new Promise((r) => setTimeout(r, 90));
    }
    const z = await zoom;
    console.log(`frames while zooming (3 s): ${stats(z.deltas)}; long tasks: ${z.long.length}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
