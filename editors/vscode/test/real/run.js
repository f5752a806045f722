// The real-VS Code suite: code-server (VS Code in a browser) with the carnet
// extension installed from its .vsix, driven from headless Chromium by
// playwright-core, on a copy of a real vault. Run by tests/editors.rs:
//
//   CARNET_E2E=scenario.json CARNET_CODE_SERVER=<install dir> CARNET_VSIX=carnet.vsix \
//     node editors/vscode/test/real/run.js [scenario-regex]
//
// code-server and Chromium start once per run; the scenarios in scenarios/
// run in file-name order in the same window (see docs/editors.md, "Adding a
// VS Code scenario"). A failing scenario leaves a screenshot under
// CARNET_ARTIFACTS (target/vscode-e2e by default); the window is reloaded
// and the next scenario runs. At the end the whole code-server process tree
// is stopped by PID, pass or fail.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const { startCodeServer, installExtension, profileDirs } = require('./code-server');
const { Workbench } = require('./workbench');

const sc = JSON.parse(fs.readFileSync(process.env.CARNET_E2E, 'utf8'));
const install = process.env.CARNET_CODE_SERVER;
const vsix = process.env.CARNET_VSIX;
const artifacts = process.env.CARNET_ARTIFACTS || path.join(__dirname, '../../../../target/vscode-e2e');
const filter = process.argv[2] || process.env.CARNET_SCENARIOS || '';

function say(msg) {
  process.stdout.write(`e2e: ${msg}\n`);
}

function scenarios() {
  const dir = path.join(__dirname, 'scenarios');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => ({ file: f, ...require(path.join(dir, f)) }))
    .filter((s) => filter === '' || new RegExp(filter).test(s.file));
}

async function main() {
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const base = sc.vscode.dir;
  const dirs = profileDirs(base);
  // The first window starts without carnet.server.path: the first scenario
  // writes it once the extension has activated (see 00-settings-arrive-late).
  const user = path.join(dirs.userData, 'User');
  fs.mkdirSync(user, { recursive: true });
  fs.writeFileSync(path.join(user, 'settings.json'), JSON.stringify(sc.vscode.userSettings, null, 2));
  const list = scenarios();
  if (list.length === 0) {
    throw new Error(`no scenario matches "${filter}"`);
  }
  await installExtension(install, vsix, dirs);
  const server = await startCodeServer(install, dirs, sc.root);
  server.install = (file) => installExtension(install, file, dirs, ['--force']);
  let browser;
  const failed = [];
  try {
    browser = await chromium.launch({
      executablePath: process.env.CARNET_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(page, server, sc, dirs);
    await wb.open();
    let first = true;
    for (const s of list) {
      const name = s.file.replace(/\.js$/, '');
      const started = Date.now();
      say(`-- ${name}: ${s.title}`);
      try {
        // Out of wherever the last scenario left the keys (an Explorer row,
        // a webview), with no editor open: each one starts the same way.
        if (!first) {
          await wb.recover();
        }
        first = false;
        await s.run({ wb, sc, say: (m) => say(`   ${m}`) });
        say(`ok ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        const shot = path.join(artifacts, `${name}.png`);
        await page.screenshot({ path: shot }).catch(() => {});
        say(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
        say(`   screenshot: ${shot}`);
        // The window's logs (carnet's output channel among them) as they were.
        fs.cpSync(path.join(dirs.userData, 'logs'), path.join(artifacts, `${name}-logs`), { recursive: true });
        failed.push(name);
        await wb.recover().catch((err) => say(`   recovery failed: ${err}`));
      }
    }
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    server.stop();
  }
  say(`${list.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) {
    say(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  } else {
    say('PASS');
  }
}

main().catch((e) => {
  process.stderr.write(`e2e: FAIL: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
