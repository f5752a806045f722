// Palette entries for two of the server's writing helpers: "Open Today's
// Note" (`carnet.openDailyNote`) and "Show Unlinked Mentions of This Note"
// (`carnet.unlinkedMentions`, in the references view, as the lens shows
// them). vscode-languageclient registers the server's own command ids for
// the server, so these entries have ids of their own.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient, type Location } from 'vscode-languageclient/node';

export const OPEN_TODAY = 'carnet.openTodaysNote';
export const SHOW_MENTIONS = 'carnet.showUnlinkedMentions';

/** `carnet.openDailyNote`'s arguments for today: the vault of the note being edited, else the first folder's. */
export function dailyNoteArgs(active: string | undefined, folder: string | undefined): object[] {
  const uri = active ?? folder;
  return [uri === undefined ? { date: 'today' } : { date: 'today', uri }];
}

/** The note's name as a message names it: its file name without `.md`. */
export function noteName(uri: string): string {
  const file = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  return file.replace(/\.md$/i, '');
}

function running(getClient: () => LanguageClient | undefined): LanguageClient | undefined {
  const client = getClient();
  if (!client || !client.isRunning()) {
    void vscode.window.showErrorMessage('The carnet server is not running.');
    return undefined;
  }
  return client;
}

export function registerHelperCommands(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_TODAY, async () => {
      const client = running(getClient);
      if (!client) {
        return;
      }
      const doc = vscode.window.activeTextEditor?.document;
      const active = doc?.uri.scheme === 'file' ? doc.uri.toString() : undefined;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.toString();
      const uri = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'carnet.openDailyNote',
        arguments: dailyNoteArgs(active, folder),
      })) as string | null;
      // The server asks the editor to show it too; this covers a client
      // that did not announce window/showDocument.
      if (uri) {
        await vscode.window.showTextDocument(client.protocol2CodeConverter.asUri(uri));
      }
    }),
    vscode.commands.registerCommand(SHOW_MENTIONS, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.uri.scheme !== 'file') {
        void vscode.window.showInformationMessage('Open a note to see its unlinked mentions.');
        return;
      }
      const client = running(getClient);
      if (!client) {
        return;
      }
      const uri = editor.document.uri.toString();
      const found = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'carnet.unlinkedMentions',
        arguments: [{ uri }],
      })) as Location[] | null;
      if (!found || found.length === 0) {
        void vscode.window.showInformationMessage(`No unlinked mentions of ${noteName(uri)}.`);
        return;
      }
      const p2c = client.protocol2CodeConverter;
      await vscode.commands.executeCommand(
        'editor.action.showReferences',
        editor.document.uri,
        editor.selection.active,
        found.map((l) => p2c.asLocation(l)),
      );
    }),
  );
}
