// The client side of carnet's backlink lenses: the command a lens runs.
// carnet's lenses name `carnet.showReferences` with (uri, position, target);
// the links themselves are fetched only when the lens is clicked, through
// carnet's `carnet/backlinks` request (see docs/server.md).
import * as vscode from 'vscode';
import type { LanguageClient, Location, Position } from 'vscode-languageclient/node';

export const SHOW_REFERENCES = 'carnet.showReferences';

/** Registers the command; `client` gives the running language client, if any. */
export function registerShowReferences(client: () => LanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand(
    SHOW_REFERENCES,
    async (uri: string, position: Position, target: unknown) => {
      const running = client();
      if (running === undefined) {
        return;
      }
      const found = await running.sendRequest<Location[]>('carnet/backlinks', {
        textDocument: { uri },
        target,
      });
      const p2c = running.protocol2CodeConverter;
      await vscode.commands.executeCommand(
        'editor.action.showReferences',
        p2c.asUri(uri),
        p2c.asPosition(position),
        found.map((l) => p2c.asLocation(l)),
      );
    },
  );
}
