// The palette entries "Open Today's Note" and "Show Unlinked Mentions of This
// Note": contributed, registered under ids of their own, and sending the
// server's commands with the note being edited, their answers shown.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

type Handler = (...args: unknown[]) => Promise<void>;

// `vscode` as the commands use it; each test sets the active editor.
const registered = new Map<string, Handler>();
const executed: unknown[][] = [];
const shown: unknown[] = [];
const infos: string[] = [];
const overrides: Record<string, unknown> = {
  'commands.registerCommand': (id: string, fn: Handler) => {
    registered.set(id, fn);
    return { dispose() {} };
  },
  'commands.executeCommand': async (...args: unknown[]) => {
    executed.push(args);
  },
  'window.showTextDocument': async (uri: unknown) => {
    shown.push(uri);
  },
  'window.showInformationMessage': async (message: string) => {
    infos.push(message);
  },
  'window.showErrorMessage': async (message: string) => {
    infos.push(`error: ${message}`);
  },
  'window.activeTextEditor': undefined,
  'workspace.workspaceFolders': [{ uri: { toString: () => 'file:///vault' } }],
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../test/vscode-stub').install(overrides);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const helpers = require('../src/helpers') as typeof import('../src/helpers');

/** A running client that answers each request with `answer`, keeping what it was sent. */
function client(answer: unknown) {
  const sent: { command: string; arguments: unknown[] }[] = [];
  const c = {
    isRunning: () => true,
    sendRequest: async (_type: unknown, params: { command: string; arguments: unknown[] }) => {
      sent.push(params);
      return answer;
    },
    protocol2CodeConverter: {
      asUri: (s: string) => ({ uri: s }),
      asLocation: (l: unknown) => ({ converted: l }),
    },
  };
  return { c, sent };
}

function editing(uri: string | undefined) {
  overrides['window.activeTextEditor'] =
    uri === undefined
      ? undefined
      : {
          document: { uri: { scheme: 'file', toString: () => uri } },
          selection: { active: { line: 2, character: 4 } },
        };
}

function reset() {
  registered.clear();
  executed.length = 0;
  shown.length = 0;
  infos.length = 0;
}

function register(answer: unknown) {
  reset();
  const { c, sent } = client(answer);
  const context = { subscriptions: [] as unknown[] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  helpers.registerHelperCommands(context as any, () => c as any);
  return { sent, context };
}

test('both commands are in the palette under the carnet category, not under the server ids', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  const commands = pkg.contributes.commands as { command: string; title: string; category: string }[];
  const byId = new Map(commands.map((c) => [c.command, c]));
  assert.equal(byId.get(helpers.OPEN_TODAY)?.title, "Open Today's Note");
  assert.equal(byId.get(helpers.SHOW_MENTIONS)?.title, 'Show Unlinked Mentions of This Note');
  for (const id of [helpers.OPEN_TODAY, helpers.SHOW_MENTIONS]) {
    assert.equal(byId.get(id)?.category, 'carnet');
  }
  // vscode-languageclient registers the server's commands itself.
  assert.ok(!byId.has('carnet.openDailyNote') && !byId.has('carnet.unlinkedMentions'));
  const { context } = register(null);
  assert.deepEqual([...registered.keys()].sort(), [helpers.OPEN_TODAY, helpers.SHOW_MENTIONS].sort());
  assert.equal(context.subscriptions.length, 2);
});

test("open today's note asks for today in the edited note's vault and shows the answer", async () => {
  const { sent } = register('file:///vault/Daily/2026-12-02.md');
  editing('file:///vault/Notes/a.md');
  await registered.get(helpers.OPEN_TODAY)!();
  assert.deepEqual(sent, [
    { command: 'carnet.openDailyNote', arguments: [{ date: 'today', uri: 'file:///vault/Notes/a.md' }] },
  ]);
  assert.deepEqual(shown, [{ uri: 'file:///vault/Daily/2026-12-02.md' }]);
  // No note open: the first folder's vault.
  sent.length = 0;
  editing(undefined);
  await registered.get(helpers.OPEN_TODAY)!();
  assert.deepEqual(sent[0].arguments, [{ date: 'today', uri: 'file:///vault' }]);
});

test('show unlinked mentions lists the command answer in the references view', async () => {
  const found = [
    { uri: 'file:///vault/b.md', range: { start: { line: 0, character: 3 }, end: { line: 0, character: 8 } } },
    { uri: 'file:///vault/c.md', range: { start: { line: 4, character: 0 }, end: { line: 4, character: 5 } } },
  ];
  const { sent } = register(found);
  editing('file:///vault/Daily%20notes.md');
  await registered.get(helpers.SHOW_MENTIONS)!();
  assert.deepEqual(sent, [{ command: 'carnet.unlinkedMentions', arguments: [{ uri: 'file:///vault/Daily%20notes.md' }] }]);
  assert.equal(executed.length, 1);
  const [command, , position, locations] = executed[0];
  assert.equal(command, 'editor.action.showReferences');
  assert.deepEqual(position, { line: 2, character: 4 });
  assert.deepEqual(
    locations,
    found.map((l) => ({ converted: l })),
  );
});

test('no mentions, or no note open: a message and no references view', async () => {
  register([]);
  editing('file:///vault/Daily%20notes.md');
  await registered.get(helpers.SHOW_MENTIONS)!();
  assert.deepEqual(infos, ['No unlinked mentions of Daily notes.']);
  assert.equal(executed.length, 0);
  const { sent } = register([]);
  editing(undefined);
  await registered.get(helpers.SHOW_MENTIONS)!();
  assert.equal(sent.length, 0);
  assert.deepEqual(infos, ['Open a note to see its unlinked mentions.']);
});
