// The carnet extension: starts the carnet language server for Markdown notes
// and keeps it in step with the `carnet` settings.
import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { ServerPath, bundledServer, configurationAnswer, resolveServerPath, thisMachine } from './config';
import { registerShowReferences } from './lenses';
import { registerGraphView } from './graphView';
import { registerReportLists } from './reportLists';
import { registerHelperCommands } from './helpers';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let extensionPath: string;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function settingsGetter(): (key: string) => unknown {
  const config = vscode.workspace.getConfiguration('carnet');
  return (key) => config.get(key);
}

/**
 * How long a server not found at activation waits for the settings before
 * the miss is reported. In a remote window (code-server, Remote-SSH, WSL,
 * dev containers) the User settings can reach the extension host after it
 * activated the extension: a `carnet.server.path` among them then arrives
 * as a configuration change, which restarts the server (see `activate`).
 */
const LATE_SETTINGS_MS = 10000;

/** Counts starts, so that a start that waited knows a newer one took over. */
let starts = 0;

function findServer(): ServerPath {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const setting = vscode.workspace.getConfiguration('carnet').get<string>('server.path');
  return resolveServerPath(setting, folder, thisMachine(isFile), bundledServer(extensionPath, process.platform));
}

/** Resolves true when `section` changes within `ms`, else false. */
function settingChanges(section: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (changed: boolean) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(changed);
    };
    const listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(section)) {
        done(true);
      }
    });
    const timer = setTimeout(() => done(false), ms);
  });
}

/** Shows a missing server's error without holding up the caller. */
function reportMissing(error: string): void {
  output.appendLine(error);
  void vscode.window.showErrorMessage(error, 'Open settings', 'Show output').then(async (choice) => {
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'carnet.server.path');
    } else if (choice === 'Show output') {
      output.show();
    }
  });
}

async function start(waitForSettings = false): Promise<void> {
  const generation = ++starts;
  const found = findServer();
  if ('error' in found) {
    if (waitForSettings) {
      output.appendLine(`${found.error} Waiting for the settings.`);
      // A change restarts the server through the listener in `activate`.
      if ((await settingChanges('carnet.server.path', LATE_SETTINGS_MS)) || generation !== starts) {
        return;
      }
      const again = findServer();
      if (!('error' in again)) {
        await start();
        return;
      }
    }
    reportMissing(found.error);
    return;
  }
  output.appendLine(`Starting ${found.path}`);
  // TransportKind.stdio adds `--stdio`, which carnet accepts.
  const serverOptions: ServerOptions = {
    command: found.path,
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'markdown' }],
    outputChannel: output,
    // Watch the section; on a change, send a bare didChangeConfiguration so
    // that carnet pulls the settings through the middleware below.
    synchronize: { configurationSection: 'carnet' },
    middleware: {
      workspace: {
        didChangeConfiguration: (_sections, next) => next(undefined),
        configuration: (params) => configurationAnswer(params.items, settingsGetter()),
      },
    },
  };
  client = new LanguageClient('carnet', 'carnet', serverOptions, clientOptions);
  await client.start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.dispose();
  }
}

/** Stops the server and starts it again, with the server path read anew. */
async function restart(): Promise<void> {
  await stop();
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('carnet');
  extensionPath = context.extensionPath;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('carnet.restartServer', async () => {
      output.appendLine('Restarting the server');
      await restart();
    }),
    vscode.commands.registerCommand('carnet.showOutput', () => output.show()),
    registerShowReferences(() => client),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('carnet.server.path')) {
        await restart();
      }
    }),
  );
  registerGraphView(context, () => client);
  registerReportLists(context, () => client);
  registerHelperCommands(context, () => client);
  // Not awaited: a missing server may wait for late settings (see start).
  void start(true).catch((e) => output.appendLine(`carnet did not start: ${e}`));
}

export async function deactivate(): Promise<void> {
  await stop();
}
