import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { Machine, bundledServer, carnetSettings, configurationAnswer, resolveServerPath } from '../src/config';

function machine(files: string[], pathEnv = '/usr/bin:/opt/carnet/bin', platform: NodeJS.Platform = 'linux'): Machine {
  return { platform, pathEnv, home: '/home/me', isFile: (p) => files.includes(p) };
}

test('the server is found on PATH, first entry first', () => {
  const m = machine(['/opt/carnet/bin/carnet', '/home/me/.cargo/bin/carnet']);
  assert.deepEqual(resolveServerPath(undefined, undefined, m), { path: '/opt/carnet/bin/carnet' });
  assert.deepEqual(resolveServerPath('', '/ws', m), { path: '/opt/carnet/bin/carnet' });
});

test('~/.cargo/bin is searched after PATH', () => {
  const m = machine(['/home/me/.cargo/bin/carnet']);
  assert.deepEqual(resolveServerPath('  ', undefined, m), { path: '/home/me/.cargo/bin/carnet' });
});

test('carnet.server.path wins, with ~ and workspace-relative paths', () => {
  const m = machine(['/usr/bin/carnet', '/home/me/bin/carnet', '/ws/target/debug/carnet', '/abs/carnet']);
  assert.deepEqual(resolveServerPath('~/bin/carnet', '/ws', m), { path: '/home/me/bin/carnet' });
  assert.deepEqual(resolveServerPath('target/debug/carnet', '/ws', m), { path: '/ws/target/debug/carnet' });
  assert.deepEqual(resolveServerPath('/abs/carnet', '/ws', m), { path: '/abs/carnet' });
});

test('the server a platform .vsix carries comes after the setting, before PATH', () => {
  const bundled = bundledServer('/ext/carnet.carnet-0.1.0', 'linux');
  assert.equal(bundled, '/ext/carnet.carnet-0.1.0/server/carnet');
  const m = machine([bundled, '/opt/carnet/bin/carnet', '/home/me/bin/carnet']);
  assert.deepEqual(resolveServerPath(undefined, undefined, m, bundled), { path: bundled });
  assert.deepEqual(resolveServerPath('~/bin/carnet', undefined, m, bundled), { path: '/home/me/bin/carnet' });
  // A universal .vsix carries none: PATH as before.
  const universal = machine(['/opt/carnet/bin/carnet']);
  assert.deepEqual(resolveServerPath(undefined, undefined, universal, bundled), { path: '/opt/carnet/bin/carnet' });
  assert.equal(bundledServer('C:\\ext', 'win32'), 'C:\\ext\\server\\carnet.exe');
});

test('a missing server gives install instructions', () => {
  const none = resolveServerPath(undefined, undefined, machine([]));
  assert.ok('error' in none);
  assert.match(none.error, /cargo install --path server/);
  assert.match(none.error, /carnet\.server\.path/);
  const wrong = resolveServerPath('/nope/carnet', undefined, machine(['/usr/bin/carnet']));
  assert.ok('error' in wrong, 'a configured path that does not exist is an error, not a silent fallback');
  assert.match(wrong.error, /\/nope\/carnet is not a file/);
});

test('Windows: carnet.exe on a ;-separated PATH', () => {
  const m = machine(['C:\\tools\\carnet.exe'], 'C:\\Windows;C:\\tools', 'win32');
  assert.deepEqual(resolveServerPath(undefined, undefined, m), { path: 'C:\\tools\\carnet.exe' });
});

test('settings map to the carnet section the server reads', () => {
  const values: Record<string, unknown> = {
    logLevel: 'debug',
    diagnostics: { 'tag-near-miss': 'off', 'unresolved-heading': 'error', bogus: 3 },
    'completion.markdownPathStyle': 'angle',
    'moves.updateLinks': 'always',
    'server.path': '/x/carnet',
    'trace.server': 'verbose',
  };
  const get = (k: string) => values[k];
  assert.deepEqual(carnetSettings(get), {
    logLevel: 'debug',
    diagnostics: { 'tag-near-miss': 'off', 'unresolved-heading': 'error' },
    completion: { markdownPathStyle: 'angle' },
    moves: { updateLinks: 'always' },
  });
  assert.deepEqual(carnetSettings(() => undefined), {});
});

test('workspace/configuration answers the carnet section only', () => {
  const values: Record<string, unknown> = { logLevel: 'warn', diagnostics: {} };
  const get = (k: string) => values[k];
  assert.deepEqual(configurationAnswer([{ section: 'carnet' }, { section: 'editor' }, {}, { section: 'carnet.logLevel' }], get), [
    { logLevel: 'warn', diagnostics: {} },
    null,
    null,
    'warn',
  ]);
});
