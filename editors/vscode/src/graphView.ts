// "carnet: Show Graph": a webview beside the note with the link graph that
// the server computes (the `carnet/graph` request; no second index here).
// It follows the active editor and asks again when notes change.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import { graphHtml } from './graphHtml';
import { ViewState, defaultState, graphParams, packEdges, parseState } from './graphState';

export function registerGraphView(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  let panel: GraphPanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand('carnet.showGraph', () => {
      if (panel) {
        panel.reveal();
      } else {
        panel = new GraphPanel(context, getClient, () => (panel = undefined));
      }
    }),
  );
}

class GraphPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private state: ViewState;
  private center: vscode.Uri | undefined;
  private rootUri: string | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly getClient: () => LanguageClient | undefined,
    onDispose: () => void,
  ) {
    const scripts = vscode.Uri.joinPath(context.extensionUri, 'out', 'webview');
    this.panel = vscode.window.createWebviewPanel(
      'carnet.graph',
      'carnet: Graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [scripts] },
    );
    const webview = this.panel.webview;
    webview.html = graphHtml({
      script: webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'graph.js')).toString(),
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
    });
    this.state = parseState(context.workspaceState.get('carnet.graph.state')) ?? defaultState;
    this.center = noteOf(vscode.window.activeTextEditor);
    this.disposables.push(
      webview.onDidReceiveMessage((m) => this.onMessage(m)),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        const note = noteOf(e);
        if (note && note.toString() !== this.center?.toString()) {
          this.center = note;
          this.refresh();
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.languageId === 'markdown' && e.contentChanges.length > 0) {
          this.later();
        }
      }),
      vscode.workspace.onDidCreateFiles(() => this.later()),
      vscode.workspace.onDidDeleteFiles(() => this.later()),
      vscode.workspace.onDidRenameFiles(() => this.later()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.md');
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.later()),
      watcher.onDidCreate(() => this.later()),
      watcher.onDidDelete(() => this.later()),
    );
    this.panel.onDidDispose(() => {
      clearTimeout(this.timer);
      this.disposables.forEach((d) => d.dispose());
      onDispose();
    });
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** Asks again once typing pauses: one request per burst of changes. */
  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 400);
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  private async refresh(): Promise<void> {
    const client = this.getClient();
    if (!client || !client.isRunning()) {
      // It may be starting (the view can open first): ask again shortly.
      this.post({ type: 'error', message: 'Waiting for the carnet server…' });
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.refresh(), 1000);
      return;
    }
    const seq = ++this.seq;
    try {
      const data = await client.sendRequest('carnet/graph', graphParams(this.state, this.center?.toString()));
      if (seq !== this.seq) {
        return; // a newer request is on its way
      }
      this.rootUri = (data as { rootUri?: string }).rootUri ?? undefined;
      this.post({ type: 'graph', data: packEdges(data), state: this.state });
    } catch (e) {
      this.post({ type: 'error', message: `carnet/graph failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async onMessage(m: { type?: string; path?: string; state?: unknown }): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'state', state: this.state });
        await this.refresh();
        break;
      case 'state': {
        const state = parseState(m.state);
        if (state) {
          this.state = state;
          await this.context.workspaceState.update('carnet.graph.state', state);
          await this.refresh();
        }
        break;
      }
      case 'open':
        if (this.rootUri && typeof m.path === 'string') {
          const uri = vscode.Uri.joinPath(vscode.Uri.parse(this.rootUri), ...m.path.split('/'));
          const column = vscode.window.visibleTextEditors[0]?.viewColumn ?? vscode.ViewColumn.One;
          try {
            await vscode.window.showTextDocument(uri, { viewColumn: column, preview: true });
          } catch {
            // A missing note: nothing to open yet.
            void vscode.window.showInformationMessage(`${m.path} does not exist yet.`);
          }
        }
        break;
    }
  }
}

function noteOf(editor: vscode.TextEditor | undefined): vscode.Uri | undefined {
  const doc = editor?.document;
  return doc && doc.languageId === 'markdown' && doc.uri.scheme === 'file' ? doc.uri : undefined;
}
