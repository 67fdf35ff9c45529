import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PasswordVault, unavailableCipher } from '../../../main/app/password-vault.ts';
import { SettingsStore } from '../../../main/app/settings-store.ts';
import { type Bookmark, parseSettingsDocument } from '../../../shared/settings.ts';
import { crashTestFields } from './crash-fields.ts';

const ITERATIONS = 30;
const CREATED = '2026-01-01T00:00:00.000Z';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function expectedBookmark(id: string, n: number): Bookmark {
  return { ...crashTestFields(n), id, hasPassword: false, createdAt: CREATED, lastConnected: null };
}

/** Runs the saving child until it has acknowledged `minimumSaves`, then `extraMs` more, then SIGKILLs it. */
function runAndKill(dir: string, id: string, minimumSaves: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'save-forever.ts'), dir, id],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let acknowledged = 0;
    let buffered = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) acknowledged = Number(line);
      if (acknowledged >= minimumSaves && !killTimer) {
        killTimer = setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') reject(new Error(`the saving child exited by itself: ${stderr}`));
      // A save the child reported had resolved; a later one may or may not have landed.
      else resolve(acknowledged);
    });
  });
}

describe('a writer killed at any moment', () => {
  it(`loses nothing: the file is always a complete document from a save (${ITERATIONS} kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-crash-'));
    dirs.push(dir);
    const seed = new SettingsStore(
      dir,
      new PasswordVault(dir, unavailableCipher('test')),
      () => new Date(CREATED),
    );
    const { bookmark } = await seed.saveBookmark(undefined, crashTestFields(0), { action: 'keep' });
    await seed.close();

    let strayTemporaries = 0;
    let lastSaved = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const acknowledged = await runAndKill(dir, bookmark.id, 1 + (i % 4), (i * 7) % 23);
      const strays = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
      strayTemporaries += strays.length;

      const text = readFileSync(join(dir, 'settings.json'), 'utf8');
      const parsed = parseSettingsDocument(JSON.parse(text));
      if (!parsed.ok) throw new Error(`iteration ${i}: invalid document`);
      const saved = parsed.document.bookmarks[0];
      const n = Number(/^save (\d+) /.exec(saved.notes)?.[1]);
      // Every acknowledged save is there; at most the one in flight beyond it.
      expect(n === acknowledged || n === acknowledged + 1).toBe(true);
      expect(parsed.document.bookmarks).toEqual([expectedBookmark(bookmark.id, n)]);
      const backup = parseSettingsDocument(JSON.parse(readFileSync(join(dir, 'settings.json.bak'), 'utf8')));
      expect(backup.ok).toBe(true);

      // The next start ignores and removes stray temporaries and reads the same document.
      const store = new SettingsStore(dir, new PasswordVault(dir, unavailableCipher('test')));
      const snapshot = await store.snapshot();
      expect(snapshot.notices).toEqual([]);
      expect(snapshot.bookmarks).toEqual([expectedBookmark(bookmark.id, n)]);
      await store.close();
      expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      lastSaved = n;
    }
    expect(lastSaved).toBeGreaterThan(0);
    console.log(
      `crash test: ${ITERATIONS} kills, ${strayTemporaries} stray temporary files left and cleaned`,
    );
  }, 240_000);
});
