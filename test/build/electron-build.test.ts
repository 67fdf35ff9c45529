import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';

describe('one offline build for main, preload and renderer', () => {
  it('electron-vite builds all three without the Electron binary', () => {
    const out = tempDir('porthole-build-');
    try {
      execFileSync(
        process.execPath,
        ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--outDir', out],
        {
          stdio: 'pipe',
          env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        },
      );
      expect(readFileSync(join(out, 'main/index.js'), 'utf8')).toMatch(/BrowserWindow/);
      // A sandboxed preload must be CommonJS.
      const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
      expect(preload).toMatch(/require\("electron"\)/);
      expect(preload).not.toMatch(/^\s*import /m);
      const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
      expect(html).toMatch(/Content-Security-Policy/);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script && existsSync(join(out, 'renderer', script))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
