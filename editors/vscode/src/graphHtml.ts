// The graph view's page: one script (the bundled webview/graph.ts), styles
// from the VS Code theme's CSS variables, and a strict content security
// policy (no network; the layout worker is a blob).

export interface PageOptions {
  /** The bundled script, as a webview URI (or a file URL in tests). */
  script: string;
  /** `webview.cspSource`: where the script may come from. */
  cspSource: string;
  nonce: string;
}

export function graphHtml(o: PageOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}' ${o.cspSource}`,
    `style-src 'unsafe-inline' ${o.cspSource}`,
    'worker-src blob:',
    `img-src ${o.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>carnet: Graph</title>
<style>
  html, body { margin: 0; padding: 0; height: 100%; overflow: hidden;
    background: var(--vscode-editor-background, #fff); color: var(--vscode-foreground, #333);
    font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
  #bar { position: absolute; top: 0; left: 0; right: 0; z-index: 2; display: flex; gap: 10px;
    align-items: center; padding: 4px 8px; flex-wrap: wrap;
    background: var(--vscode-sideBar-background, rgba(127,127,127,0.1));
    border-bottom: 1px solid var(--vscode-panel-border, rgba(127,127,127,0.3)); }
  #bar label { display: flex; gap: 4px; align-items: center; }
  #bar select, #bar input { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground);
    border: 1px solid var(--vscode-dropdown-border, transparent); }
  #status { opacity: 0.7; margin-left: auto; }
  #graph { position: absolute; top: 34px; left: 0; right: 0; bottom: 0; }
  #hover { position: absolute; z-index: 3; pointer-events: none; display: none; padding: 2px 6px;
    background: var(--vscode-editorHoverWidget-background, #eee); color: var(--vscode-editorHoverWidget-foreground, #333);
    border: 1px solid var(--vscode-editorHoverWidget-border, #999); border-radius: 3px; white-space: nowrap; }
  #message { position: absolute; top: 45%; width: 100%; text-align: center; opacity: 0.8; }
</style>
</head>
<body>
<div id="bar">
  <label>Show <select id="mode"><option value="local">this note</option><option value="vault">whole vault</option></select></label>
  <label>Depth <input id="depth" type="range" min="1" max="3" step="1" value="1"><span id="depth-value">1</span></label>
  <label>Colour by <select id="color"><option value="folder">folder</option><option value="tag">tag</option></select></label>
  <label><input id="unresolved" type="checkbox" checked> missing notes</label>
  <span id="status"></span>
</div>
<div id="graph" data-ready="false" data-nodes="0" data-edges="0" data-draws="0"></div>
<div id="hover"></div>
<div id="message"></div>
<script nonce="${o.nonce}" src="${o.script}"></script>
</body>
</html>`;
}
