// The graph view's page script (bundled into out/webview/graph.js): draws
// what the extension sends (the server's `carnet/graph` answer) with sigma.js
// on WebGL, laid out by ForceAtlas2 (in a worker for large graphs).
//
// For tests, the drawing is visible in the DOM: #graph carries
// data-ready="true" once a graph is drawn and laid out, data-nodes and
// data-edges (what the renderer holds: nodes, and linked pairs), data-draws
// (graphs drawn so far), data-center (the note in the middle) and
// data-first-draw-ms (message to first frame); #hover shows the title of
// the node under the mouse. docs/graph.md lists what a test can look for.
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import Sigma from 'sigma';
import { EdgeLineProgram } from 'sigma/rendering';

interface GraphNode {
  path: string;
  kind: 'note' | 'unresolved';
  title: string;
  folder: string;
  tags: string[];
  backlinks: number;
  outgoing: number;
}

interface GraphEdge {
  source: string;
  target: string;
  kind: string;
  subpath?: string;
  count: number;
}

/** `carnet/graph` with `edges: "pairs"`: [source, target, links], node indexes. */
type GraphPair = [number, number, number];

interface GraphData {
  rootUri: string | null;
  center: string | null;
  nodes: GraphNode[];
  edges: (GraphEdge | GraphPair)[];
  /** Index pairs as base64 of 32-bit integers, three per pair (see the extension's packEdges). */
  packedEdges?: string;
}

/**
 * The linked pairs of a graph as node indexes: `source[i] -> target[i]`
 * with `links[i]` links, one entry per source and target (the kinds and
 * subpaths of an edge merged), self-links dropped. Whole-vault graphs hold
 * ~190,000 edges, so no string is built per edge.
 */
async function linkedPairs(
  data: GraphData,
  go: () => Promise<boolean>,
): Promise<{ source: Int32Array; target: Int32Array; links: Float64Array; count: number } | undefined> {
  const n = data.nodes.length;
  let index: Map<string, number> | undefined;
  const at = (path: string) => {
    index ??= new Map(data.nodes.map((node, i) => [node.path, i]));
    return index.get(path) ?? -1;
  };
  let packed: Int32Array | undefined;
  if (data.packedEdges) {
    const bytes = atob(data.packedEdges);
    const raw = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      raw[i] = bytes.charCodeAt(i);
      if ((i & 0xffff) === 0 && !(await go())) {
        return undefined;
      }
    }
    packed = new Int32Array(raw.buffer, 0, Math.floor(raw.length / 12) * 3);
  }
  const m = packed ? packed.length / 3 : data.edges.length;
  const source = new Int32Array(m);
  const target = new Int32Array(m);
  const links = new Float64Array(m);
  // Pair -> its slot; the server sorts edges by source and target, so the
  // last pair catches nearly every repeat without a lookup.
  const seen = new Map<number, number>();
  let count = 0;
  for (let i = 0; i < m; i++) {
    if ((i & 0xfff) === 0 && !(await go())) {
      return undefined;
    }
    let s: number, t: number, c: number;
    if (packed) {
      [s, t, c] = [packed[3 * i], packed[3 * i + 1], packed[3 * i + 2]];
    } else {
      const e = data.edges[i];
      [s, t, c] = Array.isArray(e) ? e : [at(e.source), at(e.target), e.count];
    }
    if (s === t || s < 0 || t < 0 || s >= n || t >= n) {
      continue;
    }
    if (count > 0 && source[count - 1] === s && target[count - 1] === t) {
      links[count - 1] += c;
      continue;
    }
    const key = s * n + t;
    const slot = seen.get(key);
    if (slot !== undefined) {
      links[slot] += c;
      continue;
    }
    seen.set(key, count);
    source[count] = s;
    target[count] = t;
    links[count] = c;
    count += 1;
  }
  return { source, target, links, count };
}

interface ViewState {
  mode: 'local' | 'vault';
  depth: number;
  colorBy: 'folder' | 'tag';
  unresolved: boolean;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Graphs up to this size are laid out before the first frame. */
const SYNC_LAYOUT_NODES = 1500;
/** Large graphs settle in a worker for at most this long. */
const WORKER_LAYOUT_MS = 8000;

const vscode = acquireVsCodeApi();
const container = document.getElementById('graph') as HTMLElement;
const hover = document.getElementById('hover') as HTMLElement;
const message = document.getElementById('message') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const controls = {
  mode: document.getElementById('mode') as HTMLSelectElement,
  depth: document.getElementById('depth') as HTMLInputElement,
  depthValue: document.getElementById('depth-value') as HTMLElement,
  color: document.getElementById('color') as HTMLSelectElement,
  unresolved: document.getElementById('unresolved') as HTMLInputElement,
};

let state: ViewState = { mode: 'local', depth: 1, colorBy: 'folder', unresolved: true };
let renderer: Sigma | undefined;
let layout: FA2Layout | undefined;
let layoutTimer: ReturnType<typeof setTimeout> | undefined;
let current: GraphData | undefined;
let draws = 0;
/** Where each note was last drawn, so that an update moves nothing needlessly. */
const placed = new Map<string, { x: number; y: number }>();

const mixer = document.createElement('canvas').getContext('2d', { willReadFrequently: true });

/** `color` as an opaque `rgb()` over the page background: WebGL draws
 * colours with alpha wrongly over a transparent canvas (themes use alpha). */
function opaque(color: string): string {
  if (!mixer) {
    return color;
  }
  mixer.globalCompositeOperation = 'copy';
  mixer.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  mixer.fillRect(0, 0, 1, 1);
  mixer.globalCompositeOperation = 'source-over';
  mixer.fillStyle = color;
  mixer.fillRect(0, 0, 1, 1);
  const [r, g, b] = mixer.getImageData(0, 0, 1, 1).data;
  return `rgb(${r}, ${g}, ${b})`;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return opaque(v || fallback);
}

interface Theme {
  foreground: string;
  muted: string;
  edge: string;
  accent: string;
  palette: string[];
}

/** Colours from the VS Code theme (light, dark or high contrast). */
function theme(): Theme {
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  return {
    foreground: cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333'),
    muted: cssVar('--vscode-disabledForeground', dark ? '#6b6b6b' : '#a0a0a0'),
    edge: opaque(dark ? 'rgba(200,200,200,0.22)' : 'rgba(60,60,60,0.22)'),
    accent: cssVar('--vscode-focusBorder', '#007fd4'),
    palette: [
      cssVar('--vscode-charts-blue', '#3794ff'),
      cssVar('--vscode-charts-orange', '#d18616'),
      cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-red', '#f14c4c'),
      cssVar('--vscode-charts-yellow', '#cca700'),
      dark ? '#4ec9b0' : '#16825d',
      dark ? '#ce9178' : '#a31515',
      dark ? '#9cdcfe' : '#0451a5',
      dark ? '#c586c0' : '#af00db',
    ],
  };
}

/** The group a node is coloured by: its top folder, or its first tag. */
function groupOf(n: GraphNode): string {
  if (state.colorBy === 'tag') {
    return n.tags.length > 0 ? n.tags[0].toLowerCase().split('/')[0] : '';
  }
  return n.folder.split('/')[0];
}

/** Colours by group, the largest groups first (the same vault, the same colours). */
function colorsOf(data: GraphData, t: Theme): Map<string, string> {
  const counts = new Map<string, number>();
  for (const n of data.nodes) {
    if (n.kind === 'note') {
      const g = groupOf(n);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  const groups = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Map(groups.map(([g], i) => [g, g === '' && state.colorBy === 'tag' ? t.muted : t.palette[i % t.palette.length]]));
}

function sizeOf(n: GraphNode, big: boolean): number {
  const base = big ? 1.5 : 4;
  const size = base + Math.sqrt(n.backlinks) * (big ? 0.8 : 1.6);
  return Math.min(n.kind === 'unresolved' ? base : size, big ? 20 : 30);
}

/** A deterministic spread for notes drawn for the first time. */
function seedPosition(i: number, total: number): { x: number; y: number } {
  const angle = i * 2.399963; // the golden angle
  const r = Math.sqrt((i + 0.5) / Math.max(total, 1)) * 100;
  return { x: r * Math.cos(angle), y: r * Math.sin(angle) };
}

function stopLayout(): void {
  clearTimeout(layoutTimer);
  layout?.kill();
  layout = undefined;
  container.dataset.layout = 'stopped';
}

function colorOf(n: GraphNode, data: GraphData, t: Theme, colors: Map<string, string>): string {
  return n.kind === 'unresolved' ? t.muted : n.path === data.center ? t.accent : (colors.get(groupOf(n)) ?? t.muted);
}

function paint(g: Graph, data: GraphData): void {
  const t = theme();
  const colors = colorsOf(data, t);
  g.forEachNode((_, attrs) => {
    attrs.color = colorOf(attrs.node as GraphNode, data, t, colors);
  });
  paintRenderer(t);
}

/** Every edge has the renderer's default colour (see draw). */
function paintRenderer(t: Theme): void {
  renderer?.setSetting('labelColor', { color: t.foreground });
  renderer?.setSetting('defaultEdgeColor', t.edge);
}

/**
 * A draw gives the thread back this often. In VS Code for the web (and
 * code-server) a webview runs on the window's own thread, so one long task
 * here froze the editor: a whole vault took 2.6 s at once.
 */
const SLICE_MS = 12;
/** The latest draw; an older one still in progress stops at its next pause. */
let drawing = 0;

/** Pauses when the slice is used up; false once a newer draw has started. */
function slicer(gen: number): () => Promise<boolean> {
  let start = performance.now();
  return async () => {
    if (performance.now() - start >= SLICE_MS) {
      await new Promise((r) => setTimeout(r, 0));
      start = performance.now();
    }
    return gen === drawing;
  };
}

async function draw(data: GraphData, received: number): Promise<void> {
  const gen = ++drawing;
  const go = slicer(gen);
  const phases: [string, number][] = [['start', performance.now()]];
  const phase = (name: string) => phases.push([name, performance.now()]);
  stopLayout();
  current = data;
  container.dataset.ready = 'false';
  const big = data.nodes.length > SYNC_LAYOUT_NODES;
  const g = new Graph({ type: 'directed', multi: false, allowSelfLoops: false });
  const pairs = await linkedPairs(data, go);
  if (!pairs) {
    return;
  }
  phase('pairs');
  const t = theme();
  const colors = colorsOf(data, t);
  // A note drawn for the first time starts next to a neighbour already
  // drawn (by index; -1: none), else spread out.
  const near = new Int32Array(data.nodes.length).fill(-1);
  if (placed.size > 0) {
    const drawn = data.nodes.map((n) => placed.has(n.path));
    for (let i = 0; i < pairs.count; i++) {
      if ((i & 0xfff) === 0 && !(await go())) {
        return;
      }
      const [s, to] = [pairs.source[i], pairs.target[i]];
      if (!drawn[s] && drawn[to] && near[s] < 0) {
        near[s] = to;
      } else if (!drawn[to] && drawn[s] && near[to] < 0) {
        near[to] = s;
      }
    }
  }
  for (let i = 0; i < data.nodes.length; i++) {
    if ((i & 0xff) === 0 && !(await go())) {
      return;
    }
    const n = data.nodes[i];
    let at = placed.get(n.path);
    if (!at) {
      // Missing notes start on the rim, apart from the notes.
      const by = near[i] >= 0 ? placed.get(data.nodes[near[i]].path) : undefined;
      at = by
        ? { x: by.x + Math.cos(i) * 5, y: by.y + Math.sin(i) * 5 }
        : n.kind === 'unresolved'
          ? { x: 140 * Math.cos(i), y: 140 * Math.sin(i) }
          : seedPosition(i, data.nodes.length);
    }
    // Nodes are keyed by index: a short integer key is what graphology's
    // adjacency objects and maps handle fastest (paths are attributes).
    g.addNode(String(i), {
      x: at.x,
      y: at.y,
      size: sizeOf(n, big) * (n.path === data.center ? 1.5 : 1),
      label: n.kind === 'unresolved' ? `${n.title} (missing)` : n.title,
      forceLabel: n.path === data.center,
      color: colorOf(n, data, t, colors),
      node: n,
    });
  }
  // Edges of one source and target (kinds, subpaths) are one line. Colour,
  // type and size are the renderer's defaults (set below), so an edge holds
  // only its weight, and only when more than one link makes it: the
  // renderer copies every edge's attributes when it processes the graph.
  // Arrows show which way a link goes; on a whole vault they are noise, and
  // one-pixel GL lines cost a fraction of the quads of thick ones.
  const keys = data.nodes.map((_, i) => String(i));
  for (let i = 0; i < pairs.count; i++) {
    if ((i & 0x3ff) === 0 && !(await go())) {
      return;
    }
    const [s, to, w] = [keys[pairs.source[i]], keys[pairs.target[i]], pairs.links[i]];
    g.addDirectedEdgeWithKey(i, s, to, big ? (w === 1 ? undefined : { weight: w }) : { size: 1.5, weight: w });
  }
  const links = pairs.links.subarray(0, pairs.count).reduce((a, b) => a + b, 0);
  phase('graph');
  paintRenderer(t);
  const settings = forceAtlas2.inferSettings(g);
  settings.barnesHutOptimize = g.order > 500;
  const fresh = data.nodes.some((n) => !placed.has(n.path));
  if (!big && fresh) {
    forceAtlas2.assign(g, { iterations: g.order > 300 ? 60 : 150, settings });
  }

  phase('layout');
  if (!renderer) {
    renderer = new Sigma(g, container, {
      renderEdgeLabels: false,
      hideEdgesOnMove: g.size > 20000,
      labelColor: { color: theme().foreground },
      labelRenderedSizeThreshold: big ? 10 : 4,
      zIndex: true,
      edgeProgramClasses: { thin: EdgeLineProgram },
      defaultEdgeType: big ? 'thin' : 'arrow',
      defaultEdgeColor: theme().edge,
    });
    renderer.on('clickNode', ({ node }) => {
      const n = renderer?.getGraph().getNodeAttribute(node, 'node') as GraphNode | undefined;
      if (n) {
        vscode.postMessage({ type: 'open', path: n.path });
      }
    });
    renderer.on('enterNode', ({ node }) => {
      const n = renderer?.getGraph().getNodeAttribute(node, 'node') as GraphNode | undefined;
      if (!n) {
        return;
      }
      hover.textContent = n.kind === 'unresolved' ? `${n.title} (missing: ${n.path})` : `${n.title} — ${n.path}`;
      hover.dataset.path = n.path;
      hover.style.display = 'block';
    });
    renderer.on('leaveNode', () => {
      hover.style.display = 'none';
      delete hover.dataset.path;
    });
    renderer.getMouseCaptor().on('mousemovebody', (e) => {
      hover.style.left = `${e.original instanceof MouseEvent ? e.original.clientX + 12 : 0}px`;
      hover.style.top = `${e.original instanceof MouseEvent ? e.original.clientY + 12 : 0}px`;
    });
  } else {
    // Each changed setting schedules a full refresh of its own: change
    // only what differs, then process the new graph once (setGraph renders).
    const want = { hideEdgesOnMove: g.size > 20000, defaultEdgeType: big ? 'thin' : 'arrow', labelRenderedSizeThreshold: big ? 10 : 4 } as const;
    for (const [key, value] of Object.entries(want) as [keyof typeof want, (typeof want)[keyof typeof want]][]) {
      if (renderer.getSetting(key) !== value) {
        renderer.setSetting(key, value as never);
      }
    }
    renderer.setGraph(g);
  }
  message.textContent = data.nodes.length === 0 ? 'No notes to show.' : '';
  draws += 1;
  const first = draws;
  // Sigma's constructor and setGraph process the graph and render it at once.
  phase('renderer');
  if (first === 1) {
    container.dataset.firstDrawMs = String(Math.round(performance.now() - received));
  }
  // Where the time of this draw went, for test/graph-perf.js.
  container.dataset.phases = phases
    .slice(1)
    .map(([name, t], i) => `${name} ${Math.round(t - phases[i][1])}`)
    .join(', ');
  renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
  remember(g);
  container.dataset.nodes = String(renderer.getGraph().order);
  container.dataset.edges = String(renderer.getGraph().size);
  container.dataset.draws = String(draws);
  container.dataset.center = data.center ?? '';
  status.textContent = `${data.nodes.length} notes, ${links} links`;
  if (big && fresh) {
    container.dataset.layout = 'running';
    layout = new FA2Layout(g, { settings: { ...settings, slowDown: 5 } });
    layout.start();
    layoutTimer = setTimeout(() => {
      stopLayout();
      remember(g);
    }, WORKER_LAYOUT_MS);
  } else {
    container.dataset.layout = 'stopped';
  }
  container.dataset.ready = 'true';
}

function remember(g: Graph): void {
  g.forEachNode((_, a) => placed.set((a.node as GraphNode).path, { x: a.x as number, y: a.y as number }));
}

function showState(): void {
  controls.mode.value = state.mode;
  controls.depth.value = String(state.depth);
  controls.depthValue.textContent = String(state.depth);
  controls.depth.disabled = state.mode === 'vault';
  controls.color.value = state.colorBy;
  controls.unresolved.checked = state.unresolved;
}

function sendState(): void {
  state = {
    mode: controls.mode.value === 'vault' ? 'vault' : 'local',
    depth: Number(controls.depth.value),
    colorBy: controls.color.value === 'tag' ? 'tag' : 'folder',
    unresolved: controls.unresolved.checked,
  };
  showState();
  if (renderer && current) {
    paint(renderer.getGraph(), current);
    renderer.refresh();
  }
  vscode.postMessage({ type: 'state', state });
}

for (const c of [controls.mode, controls.depth, controls.color, controls.unresolved]) {
  c.addEventListener('change', sendState);
}
controls.depth.addEventListener('input', () => (controls.depthValue.textContent = controls.depth.value));

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as { type?: string; data?: GraphData; state?: ViewState; message?: string };
  if (m.state) {
    state = m.state;
    showState();
  }
  if (m.type === 'graph' && m.data) {
    void draw(m.data, performance.now());
  } else if (m.type === 'error' && m.message) {
    message.textContent = m.message;
  }
});

// The theme changes the body's class: colour everything again.
new MutationObserver(() => {
  if (renderer && current) {
    paint(renderer.getGraph(), current);
    renderer.refresh();
  }
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });

// For tests and debugging: where a node is on the page (CSS pixels), so a
// test can hover and click it like a person would.
(window as unknown as { carnetGraph: unknown }).carnetGraph = {
  pagePosition(path: string): { x: number; y: number } | undefined {
    const g = renderer?.getGraph();
    const key = String(current?.nodes.findIndex((n) => n.path === path) ?? -1);
    if (!renderer || !g?.hasNode(key)) {
      return undefined;
    }
    const at = renderer.getNodeDisplayData(key);
    if (!at) {
      return undefined;
    }
    const p = renderer.framedGraphToViewport({ x: at.x, y: at.y });
    const box = container.getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  },
};

showState();
vscode.postMessage({ type: 'ready' });
