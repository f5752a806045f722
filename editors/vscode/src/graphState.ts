// What the graph view shows, as the webview's controls set it, and the
// `carnet/graph` parameters that follow from it (no `vscode` here: tested in node).

export interface ViewState {
  /** `local`: the note in the editor and its neighbours; `vault`: every note. */
  mode: 'local' | 'vault';
  /** Links away from the note, in local mode (1–3). */
  depth: number;
  colorBy: 'folder' | 'tag';
  /** Draw the missing notes that links want. */
  unresolved: boolean;
}

export const defaultState: ViewState = { mode: 'local', depth: 1, colorBy: 'folder', unresolved: true };

/** A state from the webview or from storage; `undefined` when it is not one. */
export function parseState(v: unknown): ViewState | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const s = v as Record<string, unknown>;
  const depth = Number(s.depth);
  if (
    (s.mode !== 'local' && s.mode !== 'vault') ||
    !Number.isInteger(depth) ||
    depth < 1 ||
    depth > 3 ||
    (s.colorBy !== 'folder' && s.colorBy !== 'tag') ||
    typeof s.unresolved !== 'boolean'
  ) {
    return undefined;
  }
  return { mode: s.mode, depth, colorBy: s.colorBy, unresolved: s.unresolved };
}

/** The request for a state and the note in the editor (its vault, and its
 * neighbourhood in local mode); without a note, the first folder's vault. */
export function graphParams(state: ViewState, note: string | undefined): Record<string, unknown> {
  // Linked pairs are all a drawing needs: a fraction of the JSON for a vault.
  const params: Record<string, unknown> = { includeUnresolved: state.unresolved, edges: 'pairs' };
  if (note) {
    params.textDocument = { uri: note };
    if (state.mode === 'local') {
      params.depth = state.depth;
    }
  }
  return params;
}

/**
 * The server's answer as the graph view is sent it: edges given as index
 * pairs (`[source, target, links]`) travel as one base64 string of 32-bit
 * integers. The message is parsed and copied on the window's own thread
 * (a webview shares it in VS Code for the web), and a whole vault's
 * 190,000 small arrays cost it a long pause there; one string costs next to
 * nothing. Other answers pass unchanged.
 */
export function packEdges(data: unknown): unknown {
  const d = data as { edges?: unknown };
  if (!d || !Array.isArray(d.edges) || !d.edges.every((e) => Array.isArray(e) && e.length === 3)) {
    return data;
  }
  const edges = d.edges as number[][];
  const ints = new Int32Array(edges.length * 3);
  edges.forEach((e, i) => ints.set(e, i * 3));
  return { ...d, edges: [], packedEdges: Buffer.from(ints.buffer).toString('base64') };
}
