// End-to-end test of carnet as VS Code drives it, run by tests/editors.rs:
//
//   CARNET_E2E=scenario.json node editors/vscode/test/e2e.js
//
// carnet is spawned as the extension spawns it (`carnet --stdio`) and driven
// through vscode-languageserver-protocol's node connection. The initialize
// capabilities are the ones vscode-languageclient itself computes (its
// LanguageClient runs here against a stub of the `vscode` module), and file
// renames go through vscode-languageclient's own WillRenameFiles and
// DidRenameFiles features, registered from the server's capabilities as in
// VS Code. Workspace edits are applied the way VS Code applies them: in
// order, versioned edits refused when the document changed, and the
// will-rename participants run before every file move, including a move
// that comes from a rename the server answered.
//
// The scenario (a vault copy and the answers expected there, computed by the
// Rust side from the corpus ground truth) is in the JSON file. Every step
// asserts; the first failure exits with status 1.
'use strict';

const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { pathToFileURL, fileURLToPath } = require('node:url');

const sc = JSON.parse(fs.readFileSync(process.env.CARNET_E2E, 'utf8'));
const TIMEOUT = 20000;

// `vscode` as far as vscode-languageclient needs it here.
const listeners = { willRename: [], didRename: [] };
const on = (list) => (listener, thisArg) => {
  list.push(listener.bind(thisArg));
  return { dispose() {} };
};
require('./vscode-stub').install({
  version: '1.95.0',
  'env.appName': 'Visual Studio Code',
  'workspace.onWillRenameFiles': on(listeners.willRename),
  'workspace.onDidRenameFiles': on(listeners.didRename),
  'workspace.fs': { stat: async (uri) => ({ type: fs.statSync(uri.fsPath).isDirectory() ? 2 : 1 }) },
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
});
const { LanguageClient } = require('vscode-languageclient/node');
const fileOperations = require('vscode-languageclient/lib/common/fileOperations');
const codeConverter = require('vscode-languageclient/lib/common/codeConverter');
const rpc = require('vscode-languageserver-protocol/node');

function say(msg) {
  process.stdout.write(`e2e: ${msg}\n`);
}

class Uri {
  constructor(fsPath) {
    this.fsPath = fsPath;
    this.scheme = 'file';
  }
  toString() {
    return pathToFileURL(this.fsPath).href;
  }
}

const abs = (rel) => path.join(sc.root, rel);
const uriOf = (rel) => pathToFileURL(abs(rel)).href;
const relOf = (uri) => path.relative(sc.root, fileURLToPath(uri));

async function until(what, fn) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(30);
  }
}

// Text positions: LSP lines break on \n, \r\n and \r; characters are UTF-16
// code units, which is what a JS string index counts.
function offsetAt(text, pos) {
  let line = 0;
  let i = 0;
  while (line < pos.line && i < text.length) {
    const c = text[i++];
    if (c === '\n' || (c === '\r' && text[i] !== '\n')) {
      line++;
    }
  }
  let end = i;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') {
    end++;
  }
  return Math.min(i + pos.character, end);
}

function positionAt(text, offset) {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

function lineOf(text, n) {
  return text.split(/\r\n|\r|\n/)[n];
}

async function main() {
  // vscode-languageclient's own initialize capabilities.
  const lc = new LanguageClient('carnet', 'carnet', { command: sc.carnet }, {
    documentSelector: [{ scheme: 'file', language: 'markdown' }],
    outputChannel: {},
  });
  const capabilities = lc.computeClientCapabilities();
  assert.deepEqual(capabilities.general.positionEncodings, ['utf-16']);
  assert.ok(capabilities.workspace.workspaceEdit.resourceOperations.includes('rename'));
  assert.equal(capabilities.workspace.fileOperations.willRename, true);
  assert.ok(capabilities.textDocument.diagnostic, 'pull diagnostics');

  // As the extension starts it: TransportKind.stdio adds --stdio.
  const proc = cp.spawn(sc.carnet, ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, CARNET_LOG: 'warn' } });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const registrations = [];
  let refreshes = 0;
  // A broken link is an error by default: the warning below shows that the
  // settings reach the server.
  const settings = { logLevel: 'warn', diagnostics: { 'unresolved-link': 'warning' }, completion: { markdownPathStyle: 'percent' } };
  conn.onRequest('workspace/configuration', (p) => p.items.map((i) => (i.section === 'carnet' ? settings : null)));
  conn.onRequest('client/registerCapability', (p) => {
    registrations.push(...p.registrations);
    return null;
  });
  conn.onRequest('client/unregisterCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/diagnostic/refresh', () => {
    refreshes++;
    return null;
  });
  conn.onRequest('workspace/applyEdit', async (p) => {
    await applyEdit(p.edit);
    return { applied: true };
  });
  let pushed = 0;
  conn.onNotification('textDocument/publishDiagnostics', () => pushed++);
  conn.onNotification('window/logMessage', (m) => {
    if (m.type === 1) {
      say(`server error: ${m.message}`);
    }
  });
  conn.onNotification('$/progress', () => {});
  conn.listen();

  const init = await conn.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: '1.95.0' },
    locale: 'en',
    rootPath: sc.root,
    rootUri: pathToFileURL(sc.root).href,
    capabilities,
    trace: 'off',
    workspaceFolders: [{ uri: pathToFileURL(sc.root).href, name: path.basename(sc.root) }],
  });
  const caps = init.capabilities;
  assert.equal(caps.positionEncoding ?? 'utf-16', 'utf-16');
  assert.ok(caps.diagnosticProvider, 'carnet offers pull diagnostics to VS Code');
  conn.sendNotification('initialized', {});
  say(`initialized ${init.serverInfo.name} ${init.serverInfo.version}`);

  // Open documents, as VS Code tracks them (version and text).
  const docs = new Map();
  function open(rel) {
    const uri = uriOf(rel);
    const text = fs.readFileSync(abs(rel), 'utf8');
    docs.set(uri, { version: 1, text });
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    return uri;
  }
  function change(uri, range, newText) {
    const doc = docs.get(uri);
    const start = offsetAt(doc.text, range.start);
    const end = offsetAt(doc.text, range.end);
    doc.text = doc.text.slice(0, start) + newText + doc.text.slice(end);
    doc.version++;
    conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: doc.version },
      contentChanges: [{ range, text: newText }],
    });
  }
  // Replaces line `n` (or appends one when n is the line count).
  function setLine(uri, n, text) {
    const doc = docs.get(uri);
    const lines = doc.text.split(/\r\n|\r|\n/);
    if (n >= lines.length - (doc.text.endsWith('\n') ? 1 : 0)) {
      const end = positionAt(doc.text, doc.text.length);
      change(uri, { start: end, end }, (doc.text.endsWith('\n') ? '' : '\n') + text);
    } else {
      change(uri, { start: { line: n, character: 0 }, end: { line: n, character: lines[n].length } }, text);
    }
  }
  function removeLine(uri, n) {
    const doc = docs.get(uri);
    const lines = doc.text.split(/\r\n|\r|\n/);
    const start = n > 0 ? { line: n - 1, character: lines[n - 1].length } : { line: 0, character: 0 };
    change(uri, { start, end: { line: n, character: lines[n].length } }, '');
  }

  // Applies a WorkspaceEdit as VS Code does.
  async function applyEdit(edit) {
    const changes = edit.documentChanges ??
      Object.entries(edit.changes ?? {}).map(([uri, edits]) => ({ textDocument: { uri, version: null }, edits }));
    for (const c of changes) {
      if (c.kind === 'rename') {
        await moveFile(fileURLToPath(c.oldUri), fileURLToPath(c.newUri), c.options ?? {});
      } else if (c.kind === 'create') {
        const p = fileURLToPath(c.uri);
        if (!fs.existsSync(p) || c.options?.overwrite) {
          fs.writeFileSync(p, '');
        }
      } else if (c.kind === 'delete') {
        fs.rmSync(fileURLToPath(c.uri), { recursive: !!c.options?.recursive });
      } else {
        applyTextEdits(c.textDocument, c.edits);
      }
    }
  }

  function applyTextEdits(id, edits) {
    let doc = docs.get(id.uri);
    if (doc && id.version !== null && id.version !== undefined && id.version !== doc.version) {
      throw new Error(`edit for ${relOf(id.uri)} version ${id.version}, but the document is at ${doc.version} (VS Code refuses it)`);
    }
    // A closed note is opened in a model (so VS Code sends didOpen), edited,
    // and saved (files.refactoring.autoSave).
    const wasClosed = !doc;
    if (wasClosed) {
      open(relOf(id.uri));
      doc = docs.get(id.uri);
    }
    const sorted = [...edits].sort((a, b) => offsetAt(doc.text, b.range.start) - offsetAt(doc.text, a.range.start));
    for (const e of sorted) {
      change(id.uri, e.range, e.newText);
    }
    if (wasClosed) {
      fs.writeFileSync(fileURLToPath(id.uri), doc.text);
    }
  }

  // vscode-languageclient's file operation features, registered from the
  // server's capabilities exactly as in VS Code.
  const featureClient = {
    code2ProtocolConverter: codeConverter.createConverter(undefined),
    protocol2CodeConverter: { asWorkspaceEdit: (e) => e },
    middleware: {},
    // By method name: the message types come from vscode-languageclient's own
    // copy of vscode-jsonrpc, which this connection's copy does not know.
    sendRequest: (type, params) => conn.sendRequest(type.method, params),
    sendNotification: (type, params) => conn.sendNotification(type.method, params),
    warn: (m) => say(`languageclient warning: ${m}`),
    error: (m) => say(`languageclient error: ${m}`),
  };
  const willRename = new fileOperations.WillRenameFilesFeature(featureClient);
  const didRename = new fileOperations.DidRenameFilesFeature(featureClient);
  willRename.initialize(caps);
  didRename.initialize(caps);

  // A file move: will-rename participants, the move, the editor following
  // the file, the watcher's events, did-rename.
  async function moveFile(from, to, options) {
    if (fs.existsSync(to) && !options.overwrite) {
      if (options.ignoreIfExists) {
        return;
      }
      throw new Error(`rename target exists: ${to}`);
    }
    const files = [{ oldUri: new Uri(from), newUri: new Uri(to) }];
    const waits = [];
    for (const l of listeners.willRename) {
      await l({ files, waitUntil: (p) => waits.push(p) });
    }
    let participantEdits = 0;
    for (const extra of await Promise.all(waits)) {
      if (extra) {
        participantEdits += (extra.documentChanges ?? []).reduce((n, c) => n + (c.edits?.length ?? 0), 0) +
          Object.values(extra.changes ?? {}).reduce((n, e) => n + e.length, 0);
        await applyEdit(extra);
      }
    }
    say(`willRenameFiles ${path.relative(sc.root, from)}: ${participantEdits} link edits from the server`);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    const oldUri = pathToFileURL(from).href;
    const newUri = pathToFileURL(to).href;
    const doc = docs.get(oldUri);
    if (doc) {
      docs.delete(oldUri);
      conn.sendNotification('textDocument/didClose', { textDocument: { uri: oldUri } });
      docs.set(newUri, { version: 1, text: doc.text });
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri: newUri, languageId: 'markdown', version: 1, text: doc.text } });
    }
    conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: oldUri, type: 3 }, { uri: newUri, type: 1 }] });
    for (const l of listeners.didRename) {
      await l({ files });
    }
  }

  const refs = async (uri, pos) => {
    const r = await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: pos, context: { includeDeclaration: false } });
    return (r ?? []).map((l) => `${relOf(l.uri)}:${l.range.start.line + 1}`).sort();
  };

  // Open a note; go to definition of the wiki-link.
  const src = open(sc.source);
  const linkLine = docs.get(src).text.split(/\r\n|\r|\n/).findIndex((l) => l.includes(sc.link));
  assert.ok(linkLine >= 0, `${sc.link} in ${sc.source}`);
  const linkPos = { line: linkLine, character: lineOf(docs.get(src).text, linkLine).indexOf(sc.link) + 2 };
  const def = await conn.sendRequest('textDocument/definition', { textDocument: { uri: src }, position: linkPos });
  assert.ok(Array.isArray(def) && def.length === 1, `one definition: ${JSON.stringify(def)}`);
  assert.equal(relOf(def[0].targetUri), sc.target, 'definition target (a LocationLink, as VS Code asked)');
  assert.equal(def[0].targetSelectionRange.start.line, sc.target_line);
  assert.equal(def[0].originSelectionRange.start.line, linkLine);
  say(`definition: ${sc.target} line ${sc.target_line + 1}`);

  // References of the target note.
  const target = open(sc.target);
  const got = await refs(target, { line: 0, character: 0 });
  assert.deepEqual(got, [...sc.references].sort(), 'references equal the ground truth');
  say(`references: ${got.length}, as the ground truth says`);

  // Completion after `[[`.
  const last = docs.get(src).text.split(/\r\n|\r|\n/).length - (docs.get(src).text.endsWith('\n') ? 1 : 0);
  setLine(src, last, 'See [[');
  const complete = async () => {
    const text = lineOf(docs.get(src).text, last);
    const r = await conn.sendRequest('textDocument/completion', {
      textDocument: { uri: src },
      position: { line: last, character: text.length },
      context: { triggerKind: 2, triggerCharacter: '[' },
    });
    return (Array.isArray(r) ? r : r?.items ?? []).map((i) => i.label);
  };
  let labels = await complete();
  assert.ok(labels.length > 0, 'completion after [[ gave no items');
  setLine(src, last, `See [[${sc.complete_query}`);
  labels = await complete();
  assert.ok(labels.includes(sc.complete_label), `completion lacks ${sc.complete_label}: ${labels}`);
  say(`completion: ${labels.length} items for [[${sc.complete_query}, "${sc.complete_label}" among them`);

  // A broken link: the pulled diagnostics show it, then not once fixed.
  const pull = async () => {
    const r = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: src }, identifier: 'carnet' });
    assert.equal(r.kind, 'full');
    return r.items.filter((d) => d.range.start.line === last);
  };
  setLine(src, last, `See [[${sc.missing}]]`);
  const diag = await until('a diagnostic on the broken link', async () => (await pull()).find((d) => d.message.includes(sc.missing)));
  assert.equal(diag.severity, 2, 'a warning, as the settings say');
  say(`diagnostic: ${diag.message} [${diag.code}], a warning as the settings say`);
  setLine(src, last, `See [[${sc.complete_label}]]`);
  await until('the diagnostic to clear', async () => (await pull()).length === 0);
  removeLine(src, last);
  say(`diagnostic cleared after the fix (${refreshes} refresh requests from the server)`);

  // Rename the target note from a link to it (F2).
  if (!caps.renameProvider) {
    say('SKIPPED rename: server has no renameProvider');
  } else {
    assert.ok(willRename.filterSize() > 0, 'vscode-languageclient registered willRenameFiles from the server capabilities');
    assert.ok(didRename.filterSize() > 0, 'vscode-languageclient registered didRenameFiles from the server capabilities');
    const prep = await conn.sendRequest('textDocument/prepareRename', { textDocument: { uri: src }, position: linkPos });
    assert.ok(prep, 'prepareRename on the link');
    const edit = await conn.sendRequest('textDocument/rename', { textDocument: { uri: src }, position: linkPos, newName: sc.new_name });
    assert.ok(edit?.documentChanges, 'rename answers documentChanges');
    const moves = edit.documentChanges.filter((c) => c.kind === 'rename');
    assert.deepEqual(moves.map((m) => [relOf(m.oldUri), relOf(m.newUri)]), [[sc.target, sc.renamed]]);
    await applyEdit(edit);
    assert.ok(!fs.existsSync(abs(sc.target)) && fs.existsSync(abs(sc.renamed)), 'the note is renamed on disk');
    // The open note is edited in its buffer; the others on disk.
    assert.equal(lineOf(docs.get(src).text, linkLine), sc.backlinks.find((b) => b.source === sc.source && b.line === linkLine + 1).text);
    fs.writeFileSync(abs(sc.source), docs.get(src).text);
    for (const b of sc.backlinks) {
      const rel = b.source === sc.target ? sc.renamed : b.source;
      assert.equal(lineOf(fs.readFileSync(abs(rel), 'utf8'), b.line - 1), b.text, `${rel}:${b.line} after the rename`);
    }
    say(`rename: ${sc.target} -> ${sc.renamed}, ${sc.backlinks.length} linking lines updated as expected`);
    const after = await until('backlinks of the renamed note', async () => {
      const r = await refs(uriOf(sc.renamed), { line: 0, character: 0 });
      return r.length === sc.references.length && r;
    });
    say(`rename: the renamed note has ${after.length} backlinks`);

    // Rename a note in the Explorer: vscode-languageclient asks the server
    // (willRenameFiles) for the link updates.
    const ex = sc.explorer;
    await moveFile(abs(ex.from), abs(ex.to), {});
    for (const b of ex.backlinks) {
      assert.equal(lineOf(fs.readFileSync(abs(b.source), 'utf8'), b.line - 1), b.text, `${b.source}:${b.line} after the Explorer rename`);
    }
    say(`explorer rename: ${ex.from} -> ${ex.to}, ${ex.backlinks.length} linking lines updated through willRenameFiles`);
  }

  assert.equal(pushed, 0, 'carnet pushed diagnostics to a client that pulls them');
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  assert.equal(code, 0, 'carnet exits with 0 after shutdown');
  conn.dispose();
}

main().then(
  () => {
    say('PASS');
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`e2e: FAIL: ${e.stack ?? e}\n`);
    process.exit(1);
  },
);
