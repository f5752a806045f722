// Does the graph view freeze the editor? Real VS Code (code-server) in
// headless Chromium, on a large vault: open a note, "carnet: Show Graph",
// switch the view to the whole vault, and measure meanwhile the frames of
// the workbench (the editor's page) and of the graph's own page.
//
//   CARNET_CODE_SERVER=<install dir> CARNET_VSIX=carnet.vsix CARNET_BIN=target/release/carnet \
//     node editors/vscode/test/real/graph-bench.js VAULT NOTE
//
// VAULT is used as it is (copy it first: the window may write settings into
// it); NOTE is a vault path to open. WebGL runs on SwiftShader (no GPU).
// Prints one line per measure; docs/performance.md has the figures.
/* global performance, requestAnimationFrame, PerformanceObserver */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const { startCodeServer, installExtension, profileDirs } = require('./code-server');
const { Workbench } = require('./workbench');

const [vault, note] = process.argv.slice(2);
const install = process.env.CARNET_CODE_SERVER;
const vsix = process.env.CARNET_VSIX;
const bin = process.env.CARNET_BIN;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
  return s.length === 0
    ? 'none'
    : `p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length})`;
};

/** Starts recording frame gaps and long tasks in `frame`; `stop()` returns them. */
async function record(frame) {
  await frame.evaluate(() => {
    const r = { deltas: [], long: [], on: true, t0: performance.now() };
    window.carnetBench = r;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => r.long.push([e.startTime, e.duration]))).observe({
      entryTypes: ['longtask'],
    });
    let last = performance.now();
    const tick = (now) => {
      r.deltas.push(now - last);
      last = now;
      if (r.on) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
  return {
    stop: () =>
      frame.evaluate(() => {
        const r = window.carnetBench;
        r.on = false;
        const t0 = r.t0;
        return { deltas: r.deltas, long: r.long.filter(([t]) => t >= t0).map(([t, d]) => [Math.round(t - t0), d]) };
      }),
  };
}

async function main() {
  if (!vault || !note || !install || !vsix || !bin) {
    throw new Error('usage: CARNET_CODE_SERVER=… CARNET_VSIX=… CARNET_BIN=… graph-bench.js VAULT NOTE');
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'carnet-graph-bench-'));
  const dirs = profileDirs(base);
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'carnet.server.path': path.resolve(bin),
    }),
  );
  await installExtension(install, vsix, dirs);
  const server = await startCodeServer(install, dirs, path.resolve(vault));
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CARNET_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(page, server, { root: path.resolve(vault) }, dirs);
    await wb.open();
    await wb.openNote(note);
    await wb.ready();
    await wb.command('carnet: Show Graph');
    const frame = await wb.graphFrame();
    await wb.until(
      'the local graph',
      () => frame.evaluate(() => document.getElementById('graph').dataset.ready === 'true'),
      120000,
    );
    const total = Number(await frame.evaluate(() => document.getElementById('graph').dataset.nodes));
    console.log(`graph-bench: local graph of ${note}: ${total} nodes`);
    // Does the webview share the workbench's process (and main thread)?
    const cdp = await page.context().newCDPSession(page);
    const { targetInfos } = await cdp.send('Target.getTargets');
    const iframes = targetInfos.filter((t) => t.type === 'iframe').length;
    console.log(`graph-bench: out-of-process iframes of the window: ${iframes}`);

    const workbench = await record(page.mainFrame());
    const view = await record(frame);
    const started = Date.now();
    await frame.selectOption('#mode', 'vault');
    await wb.until(
      'the whole-vault graph',
      () =>
        frame.evaluate(
          () =>
            document.getElementById('graph').dataset.ready === 'true' &&
            document.getElementById('mode').value === 'vault' &&
            Number(document.getElementById('graph').dataset.nodes) > 1000,
        ),
      300000,
    );
    const drawn = Date.now() - started;
    const nodes = await frame.evaluate(() => Number(document.getElementById('graph').dataset.nodes));
    // Five more seconds: ForceAtlas2 lays the graph out in its worker.
    await new Promise((r) => setTimeout(r, 5000));
    const w = await workbench.stop();
    const v = await view.stop();
    console.log(`graph-bench: whole vault, ${nodes} nodes: ready ${drawn} ms after the switch`);
    const phases = await frame.evaluate(() => document.getElementById('graph').dataset.phases);
    console.log(`graph-bench: the view's draw: ${phases} (ms)`);
    const long = (l) => `${stats(l.map(([, d]) => d))} at ${l.map(([t, d]) => `${t}+${d}`).join(' ')}`;
    console.log(`graph-bench: workbench frames: ${stats(w.deltas)}; long tasks: ${long(w.long)}`);
    console.log(`graph-bench: graph view frames: ${stats(v.deltas)}; long tasks: ${long(v.long)}`);
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    server.stop();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`graph-bench: FAIL: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
