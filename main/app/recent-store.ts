import { join } from 'node:path';
import type { RecentConnection } from '../../shared/ipc.ts';
import { readJsonOrSetAside, writeJsonAtomic } from './json-file.ts';

export const MAX_RECENT = 20;

/**
 * The recent connections list, most recent first, kept in `recent.json` in the data directory.
 * A file that cannot be read is moved aside (never overwritten) and the list starts empty.
 */
export class RecentStore {
  private readonly path: string;
  private loaded: Promise<RecentConnection[]> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'recent.json');
  }

  list(): Promise<RecentConnection[]> {
    this.loaded ??= this.load();
    return this.loaded.then((list) => [...list]);
  }

  async add(target: string, now = new Date()): Promise<RecentConnection[]> {
    const list = (await this.list()).filter((entry) => entry.target !== target);
    list.unshift({ target, lastConnected: now.toISOString() });
    return this.save(list.slice(0, MAX_RECENT));
  }

  async remove(target: string): Promise<RecentConnection[]> {
    return this.save((await this.list()).filter((entry) => entry.target !== target));
  }

  private async save(list: RecentConnection[]): Promise<RecentConnection[]> {
    this.loaded = Promise.resolve(list);
    this.writing = this.writing.then(() => writeJsonAtomic(this.path, { version: 1, recent: list }));
    await this.writing;
    return [...list];
  }

  private async load(): Promise<RecentConnection[]> {
    const data = await readJsonOrSetAside(this.path);
    if (data === undefined) return [];
    const recent = (data as { recent?: unknown }).recent;
    if (!Array.isArray(recent)) return [];
    return recent.filter(
      (entry): entry is RecentConnection =>
        typeof entry?.target === 'string' && typeof entry?.lastConnected === 'string',
    );
  }
}
