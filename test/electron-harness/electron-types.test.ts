import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

// main/electron/ compiled with `electron` resolved to the stand-in (tsconfig.json here): the
// app may use only what the stand-in provides, as the stand-in provides it, while each
// stand-in class implements its part of Electron's own electron.d.ts. Neither can drift alone.
it('main/electron/ type-checks against the Electron stand-in', () => {
  const tsc = resolve('node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'test/electron-harness/tsconfig.json'], {
    encoding: 'utf8',
  });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
}, 120_000);
