// Starting and stopping code-server for the real-VS Code suite.
'use strict';

const cp = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

/** code-server's own Node (24) first on PATH; carnet is not on it. */
function env(install, dirs) {
  const node = path.join(install, 'node', 'bin');
  return {
    PATH: `${node}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    LANG: 'C.UTF-8',
    CARNET_LOG: process.env.CARNET_LOG || 'info',
  };
}

function bin(install) {
  return path.join(install, 'code-server', 'node_modules', '.bin', 'code-server');
}

function common(dirs) {
  return ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

async function installExtension(install, vsix, dirs, extra = []) {
  const out = cp.spawnSync(bin(install), [...common(dirs), '--install-extension', vsix, ...extra], {
    env: env(install, dirs),
    encoding: 'utf8',
    timeout: 120000,
  });
  if (out.status !== 0 || !/was successfully installed/.test(out.stdout)) {
    throw new Error(`installing ${vsix} failed (${out.status}):\n${out.stdout}\n${out.stderr}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Every descendant of `pid`, from /proc, children before their parents. */
function descendants(pid) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone already
    }
    // The command name, in parentheses, may hold spaces: fields start after it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) {
      children.set(ppid, []);
    }
    children.get(ppid).push(Number(name));
  }
  const out = [];
  const visit = (p) => {
    for (const c of children.get(p) || []) {
      visit(c);
      out.push(c);
    }
  };
  visit(pid);
  return out;
}

/**
 * Starts code-server on a free 127.0.0.1 port and waits until it answers.
 * `stop()` kills the whole tree by PID: code-server keeps a disconnected
 * window's extension host (and so carnet) alive for hours otherwise.
 */
async function startCodeServer(install, dirs, folder) {
  const port = await freePort();
  const log = fs.openSync(path.join(dirs.userData, '..', 'code-server.log'), 'a');
  const child = cp.spawn(
    bin(install),
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      ...common(dirs),
      folder,
    ],
    { env: env(install, dirs), stdio: ['ignore', log, log], detached: true },
  );
  const stop = () => {
    // Collect the tree first (killing the parent re-parents its children).
    const pids = [...descendants(child.pid), child.pid];
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited (${child.exitCode}); see ${path.join(dirs.userData, '..', 'code-server.log')}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('code-server did not answer within 120 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid, stop, descendants: () => descendants(child.pid) };
}

/** A code-server profile under `base`: user data, extensions and a home, made. */
function profileDirs(base) {
  const dirs = {
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    home: path.join(base, 'home'),
  };
  for (const d of Object.values(dirs)) {
    fs.mkdirSync(d, { recursive: true });
  }
  return dirs;
}

module.exports = { startCodeServer, installExtension, descendants, profileDirs };
