// Packages the extension as a .vsix.
//
//   node scripts/package.js                                  # universal: finds carnet on PATH or by setting
//   node scripts/package.js --target linux-x64 --server ../../target/release/carnet [--out file.vsix]
//
// With --target, the carnet executable given by --server goes into the
// package (server/carnet, or server/carnet.exe on Windows), which the
// extension starts when `carnet.server.path` is not set, so a user needs
// nothing else. vsce marks the package with the target, and the Marketplace
// would serve each platform its own (`vsce package --target`, as
// rust-analyzer's extension does).
//
// carnet has no public repository address yet, so package.json names none
// and vsce is told that this is on purpose.
'use strict';

const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const TARGETS = ['linux-x64', 'linux-arm64', 'linux-armhf', 'alpine-x64', 'alpine-arm64',
  'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

function parse(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!['target', 'server', 'out'].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`usage: package.js [--target T --server PATH] [--out FILE] (got ${argv[i]})`);
    }
    opts[key] = argv[++i];
  }
  if ((opts.target === undefined) !== (opts.server === undefined)) {
    throw new Error('--target and --server go together');
  }
  if (opts.target !== undefined && !TARGETS.includes(opts.target)) {
    throw new Error(`unknown target ${opts.target}; one of ${TARGETS.join(', ')}`);
  }
  return opts;
}

function main() {
  const opts = parse(process.argv.slice(2));
  const ext = path.join(__dirname, '..');
  const serverDir = path.join(ext, 'server');
  fs.rmSync(serverDir, { recursive: true, force: true });
  const args = ['package', '--allow-missing-repository'];
  if (opts.target !== undefined) {
    const exe = opts.target.startsWith('win32') ? 'carnet.exe' : 'carnet';
    fs.mkdirSync(serverDir);
    fs.copyFileSync(opts.server, path.join(serverDir, exe));
    fs.chmodSync(path.join(serverDir, exe), 0o755);
    args.push('--target', opts.target);
  }
  if (opts.out !== undefined) {
    args.push('--out', path.resolve(opts.out));
  }
  const vsce = path.join(ext, 'node_modules', '@vscode', 'vsce', 'vsce');
  try {
    cp.execFileSync(process.execPath, [vsce, ...args], { cwd: ext, stdio: 'inherit' });
  } finally {
    // The binary is only for the package; the source tree stays as it was.
    fs.rmSync(serverDir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
