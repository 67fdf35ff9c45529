import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers (docs/architecture.md): each folder may import only itself and the folders
 * listed for it. `shared` ← `main/rfb`, `main/ssh` ← `main/session`, `main/discovery` ← `main/app` ←
 * `main/cli | web | electron`; the renderer only `shared`. Packages: Electron only in
 * main/electron, nothing of Node's in `shared` or the renderer (they run in the page too).
 */
const LAYERS: Record<string, readonly string[]> = {
  shared: [],
  'main/rfb': ['shared'],
  // SSH tunnels: a transport beside the engine.
  'main/ssh': ['shared'],
  'main/session': ['shared', 'main/rfb', 'main/ssh'],
  'main/discovery': ['shared', 'main/rfb'],
  'main/app': ['shared', 'main/rfb', 'main/ssh', 'main/discovery'],
  'main/web': ['shared', 'main/rfb', 'main/ssh', 'main/session', 'main/discovery', 'main/app'],
  'main/electron': ['shared', 'main/rfb', 'main/ssh', 'main/session', 'main/discovery', 'main/app'],
  // The CLI also starts browser mode (`porthole web`, `porthole connect`).
  'main/cli': ['shared', 'main/rfb', 'main/ssh', 'main/session', 'main/discovery', 'main/app', 'main/web'],
  renderer: ['shared'],
};

const ROOT = resolve(import.meta.dirname, '../..');

/** The layer a repository path belongs to (the longest matching folder), if any. */
function layerOf(path: string): string | undefined {
  return Object.keys(LAYERS)
    .filter((layer) => path === layer || path.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/** Why `from` (a file's path) may not import `specifier`, or undefined when it may. */
function layerViolation(from: string, specifier: string): string | undefined {
  const layer = layerOf(from);
  if (!layer) return undefined;
  if (specifier.startsWith('.')) {
    const target = relative(ROOT, resolve(ROOT, dirname(from), specifier)).replaceAll('\\', '/');
    const targetLayer = layerOf(target);
    if (!targetLayer) return `${from} imports ${target}, which belongs to no layer`;
    if (targetLayer === layer || LAYERS[layer].includes(targetLayer)) return undefined;
    return `${from} (${layer}) imports ${target} (${targetLayer})`;
  }
  if ((layer === 'shared' || layer === 'renderer') && specifier.startsWith('node:'))
    return `${from} (${layer}, runs in the page too) imports ${specifier}`;
  if (specifier === 'electron' && layer !== 'main/electron')
    return `${from} (${layer}) imports electron, which only main/electron may`;
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).replaceAll('\\', '/'));
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

describe('layers', () => {
  it('no folder imports a layer above it', () => {
    const violations: string[] = [];
    for (const file of [...sourceFiles('main'), ...sourceFiles('shared'), ...sourceFiles('renderer')]) {
      for (const specifier of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const problem = layerViolation(file, specifier);
        if (problem) violations.push(problem);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the rule refuses upward imports and accepts downward ones', () => {
    expect(layerViolation('main/session/session-host.ts', '../cli/options.ts')).toMatch(/main\/cli/);
    expect(layerViolation('main/rfb/session.ts', '../session/session-host.ts')).toMatch(/main\/session/);
    expect(layerViolation('renderer/src/App.tsx', '../../main/rfb/constants.ts')).toMatch(/main\/rfb/);
    expect(layerViolation('shared/target.ts', 'node:net')).toMatch(/node:net/);
    expect(layerViolation('main/app/launches.ts', 'electron')).toMatch(/electron/);
    expect(layerViolation('main/cli/index.ts', '../web/server.ts')).toBeUndefined();
    expect(layerViolation('main/session/session-host.ts', '../rfb/session.ts')).toBeUndefined();
    expect(layerViolation('renderer/src/App.tsx', '../../shared/ipc.ts')).toBeUndefined();
  });
});
