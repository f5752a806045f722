// "carnet: Show Report List…": orphans, dead ends, wanted notes, hubs and
// tags, as the server's report commands answer them (locations), in a pick
// list that opens the chosen place.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ExecuteCommandRequest, type Location } from 'vscode-languageclient/node';

const lists = [
  { command: 'carnet.report.orphans', label: 'Orphans', detail: 'Notes no other note links to' },
  { command: 'carnet.report.deadEnds', label: 'Dead ends', detail: 'Notes that link to no other note' },
  { command: 'carnet.report.wanted', label: 'Wanted notes', detail: 'Links to missing notes, the most wanted first' },
  { command: 'carnet.report.hubs', label: 'Hubs', detail: 'Notes with the most backlinks' },
  { command: 'carnet.report.tags', label: 'Tags', detail: 'Every use of every tag, the most used first' },
];

export function registerReportLists(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('carnet.showReport', async () => {
      const client = getClient();
      if (!client || !client.isRunning()) {
        void vscode.window.showErrorMessage('The carnet server is not running.');
        return;
      }
      const list = await vscode.window.showQuickPick(lists, { placeHolder: 'Which list?' });
      if (!list) {
        return;
      }
      const editor = vscode.window.activeTextEditor;
      const args = editor?.document.uri.scheme === 'file' ? [{ textDocument: { uri: editor.document.uri.toString() } }] : [];
      const found = (await client.sendRequest(ExecuteCommandRequest.type, { command: list.command, arguments: args })) as
        | Location[]
        | null;
      const places = (found ?? []).map((l) => client.protocol2CodeConverter.asLocation(l));
      if (places.length === 0) {
        void vscode.window.showInformationMessage(`${list.label}: none.`);
        return;
      }
      const items = places.map((p) => ({
        label: vscode.workspace.asRelativePath(p.uri),
        description: p.range.start.line > 0 || p.range.start.character > 0 ? `line ${p.range.start.line + 1}` : '',
        place: p,
      }));
      const pick = await vscode.window.showQuickPick(items, { placeHolder: `${list.label}: ${items.length}`, matchOnDescription: true });
      if (pick) {
        await vscode.window.showTextDocument(pick.place.uri, { selection: pick.place.range });
      }
    }),
  );
}
