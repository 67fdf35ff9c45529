import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';

describe('one offline build for main, preload and renderer', () => {
  let out: string;

  beforeAll(() => {
    out = tempDir('porthole-build-');
    execFileSync(
      process.execPath,
      ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--outDir', out],
      {
        stdio: 'pipe',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      },
    );
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('electron-vite builds all three without the Electron binary', () => {
    expect(readFileSync(join(out, 'main/index.js'), 'utf8')).toMatch(/BrowserWindow/);
    // A sandboxed preload must be CommonJS.
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).toMatch(/require\("electron"\)/);
    expect(preload).not.toMatch(/^\s*import /m);
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy/);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script && existsSync(join(out, 'renderer', script))).toBe(true);
  });

  it('builds the session utility-process entry next to main, as ES modules', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    const session = readFileSync(join(out, 'main/session-process.js'), 'utf8');
    for (const code of [main, session]) {
      expect(code).toMatch(/^import .* from "[^"]+";?$/m);
      expect(code).not.toMatch(/\brequire\(/);
    }
    // main forks the entry by its path beside itself.
    expect(main).toMatch(/join\(import\.meta\.dirname, "session-process\.js"\)/);
    expect(main).toMatch(/serviceName: "Porthole session"/);
    // The child holds the RFB engine; main loads it only when it scans (a dynamic import).
    expect(session).toMatch(/parentPort/);
    expect(loadedAtStart(join(out, 'main/session-process.js'))).toMatch(/from "pako"/);
    expect(loadedAtStart(join(out, 'main/index.js'))).not.toMatch(/from "pako"|from "node:tls"/);
  });

  it('the preload exposes only portholeBridge and never ipcRenderer itself', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    const exposed = [...preload.matchAll(/exposeInMainWorld\("([^"]+)",\s*([^)]+\))/g)];
    expect(exposed.map((m) => m[1])).toEqual(['portholeBridge']);
    expect(exposed[0][2]).toMatch(/^createBridge\(/);
  });
});

/** An entry's code with every chunk it imports statically, recursively: what loads when it starts. */
function loadedAtStart(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const chunks = [...code.matchAll(/^import [^;]*?from "(\.[^"]+)";?$/gm)].map((m) =>
    join(dirname(file), m[1]),
  );
  return [code, ...chunks.map((chunk) => loadedAtStart(chunk, seen))].join('\n');
}
