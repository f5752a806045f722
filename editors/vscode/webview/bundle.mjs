// Bundles the graph view's page script (webview/graph.ts and the libraries
// it draws with) into out/webview/graph.js, and writes the licences of every
// bundled package beside it (out/webview/NOTICES.txt): the .vsix ships them.
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out', 'webview');
const result = await esbuild.build({
  entryPoints: [join(root, 'webview', 'graph.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  outfile: join(out, 'graph.js'),
  metafile: true,
  logLevel: 'warning',
});

const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) {
    packages.add(m[1]);
  }
}
const notices = [...packages].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (!file) {
    throw new Error(`${name} has no licence file to ship`);
  }
  return `${name} ${version} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
});
writeFileSync(
  join(out, 'NOTICES.txt'),
  `The graph view (graph.js) bundles these packages:\n\n${notices.join('\n---\n\n')}`,
);
