// Pure functions of the extension (no `vscode` import), unit-tested with
// node's test runner outside VS Code.
import * as os from 'os';
import * as path from 'path';

/** What finding the server needs from the machine; tests pass fakes. */
export interface Machine {
  platform: NodeJS.Platform;
  /** The PATH environment variable. */
  pathEnv: string;
  home: string;
  isFile(p: string): boolean;
}

export type ServerPath = { path: string } | { error: string };

/** Where a platform-specific .vsix carries carnet, inside the extension. */
export function bundledServer(extensionPath: string, platform: NodeJS.Platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(extensionPath, 'server', platform === 'win32' ? 'carnet.exe' : 'carnet');
}

export const INSTALL_HINT =
  'Install the carnet extension built for your platform (it carries the server), ' +
  'or install carnet with `cargo install --path server` from a carnet checkout (it lands in ~/.cargo/bin), ' +
  'or set `carnet.server.path` to the carnet executable.';

/**
 * The carnet executable: `carnet.server.path` when set (`~` expanded, a
 * relative path taken from the workspace folder), else the one the
 * platform-specific .vsix carries (`bundled`), else `carnet` on PATH, else
 * ~/.cargo/bin/carnet (VS Code started from a desktop launcher often lacks
 * ~/.cargo/bin in its PATH).
 */
export function resolveServerPath(
  setting: string | undefined,
  workspaceFolder: string | undefined,
  m: Machine,
  bundled?: string,
): ServerPath {
  const exe = m.platform === 'win32' ? 'carnet.exe' : 'carnet';
  const p = m.platform === 'win32' ? path.win32 : path.posix;
  const configured = (setting ?? '').trim();
  if (configured !== '') {
    let candidate = configured;
    if (candidate === '~' || candidate.startsWith('~/')) {
      candidate = p.join(m.home, candidate.slice(1));
    } else if (!p.isAbsolute(candidate) && workspaceFolder !== undefined) {
      candidate = p.join(workspaceFolder, candidate);
    }
    if (m.isFile(candidate)) {
      return { path: candidate };
    }
    return { error: `carnet.server.path is "${configured}", but ${candidate} is not a file. ${INSTALL_HINT}` };
  }
  if (bundled !== undefined && m.isFile(bundled)) {
    return { path: bundled };
  }
  const sep = m.platform === 'win32' ? ';' : ':';
  const dirs = m.pathEnv.split(sep).filter((d) => d !== '');
  dirs.push(p.join(m.home, '.cargo', 'bin'));
  for (const dir of dirs) {
    const candidate = p.join(dir, exe);
    if (m.isFile(candidate)) {
      return { path: candidate };
    }
  }
  return { error: `The carnet language server was not found on PATH or in ~/.cargo/bin. ${INSTALL_HINT}` };
}

/** The machine this extension runs on. */
export function thisMachine(isFile: (p: string) => boolean): Machine {
  return { platform: process.platform, pathEnv: process.env.PATH ?? '', home: os.homedir(), isFile };
}

/** Reads one setting of the `carnet` section (`WorkspaceConfiguration.get`). */
export type Get = (key: string) => unknown;

export interface CarnetSettings {
  logLevel?: string;
  diagnostics?: Record<string, string>;
  completion?: { markdownPathStyle?: string };
  moves?: { updateLinks?: string };
}

/**
 * The `carnet` section as the server reads it from `workspace/configuration`
 * (see docs/server.md): only what the server knows, so that client-side
 * settings (server.path, trace) stay on this side.
 */
export function carnetSettings(get: Get): CarnetSettings {
  const out: CarnetSettings = {};
  const level = get('logLevel');
  if (typeof level === 'string' && level !== '') {
    out.logLevel = level;
  }
  const diagnostics = get('diagnostics');
  if (diagnostics !== null && typeof diagnostics === 'object' && !Array.isArray(diagnostics)) {
    const levels: Record<string, string> = {};
    for (const [code, value] of Object.entries(diagnostics)) {
      if (typeof value === 'string') {
        levels[code] = value;
      }
    }
    out.diagnostics = levels;
  }
  const style = get('completion.markdownPathStyle');
  if (typeof style === 'string' && style !== '') {
    out.completion = { markdownPathStyle: style };
  }
  const updateLinks = get('moves.updateLinks');
  if (typeof updateLinks === 'string' && updateLinks !== '') {
    out.moves = { updateLinks };
  }
  return out;
}

/**
 * Answers a `workspace/configuration` request: the `carnet` section (or one
 * of its keys) for items that ask for it, `null` for other sections.
 */
export function configurationAnswer(
  items: { section?: string }[],
  get: Get,
): (CarnetSettings | null)[] {
  return items.map((item) => {
    if (item.section === 'carnet') {
      return carnetSettings(get);
    }
    if (item.section?.startsWith('carnet.')) {
      const value = get(item.section.slice('carnet.'.length));
      return (value ?? null) as CarnetSettings | null;
    }
    return null;
  });
}
