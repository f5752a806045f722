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

import { configurationAnswer, resolveServerPath, thisMachine } from './config';
import { registerGraphView } from './graphView';
import { registerReportLists } from './reportLists';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

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

async function start(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const setting = vscode.workspace.getConfiguration('carnet').get<string>('server.path');
  const found = resolveServerPath(setting, folder, thisMachine(isFile));
  if ('error' in found) {
    output.appendLine(found.error);
    const choice = await vscode.window.showErrorMessage(found.error, 'Open settings', 'Show output');
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'carnet.server.path');
    } else if (choice === 'Show output') {
      output.show();
    }
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
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('carnet.restartServer', async () => {
      output.appendLine('Restarting the server');
      await restart();
    }),
    vscode.commands.registerCommand('carnet.showOutput', () => output.show()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('carnet.server.path')) {
        await restart();
      }
    }),
  );
  registerGraphView(context, () => client);
  registerReportLists(context, () => client);
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
