import * as v from 'valibot';
import { create } from 'zustand';
import type { PasswordStorage } from '../../../shared/ipc.ts';
import {
  type Bookmark,
  type GlobalSettings,
  GlobalSettingsSchema,
  type VmHost,
} from '../../../shared/settings.ts';
import { platform } from '../platform/index.ts';

/**
 * The viewer's copy of the settings document kept by the main side: global settings and
 * bookmarks (never a password), with what loading it had to say. Every change goes through a
 * control request and the store takes the main side's answer, so it survives a restart.
 */
export interface SettingsState {
  loaded: boolean;
  /** Why the settings could not be loaded (the viewer then runs on defaults). */
  loadError: string;
  settings: GlobalSettings;
  bookmarks: Bookmark[];
  /** Saved VM hosts (libvirt hosts whose VMs the viewer lists). */
  vmHosts: VmHost[];
  /** The revision of the document this copy is (-1 before loading). */
  revision: number;
  /** Problems the main side met while loading (a corrupt file moved aside, with its path). */
  notices: string[];
  passwordStorage: PasswordStorage;
  /** The bookmark deleted last, offered for undo until another is deleted or the toast is closed. */
  deleted: Bookmark | undefined;
  load(): Promise<void>;
  /** Another window, page or process saved the document: take it again. */
  reloadIfChanged(): Promise<void>;
  /** `base`: the settings the change was made on (a change made elsewhere since is merged, or refuses it). */
  updateSettings(patch: Partial<GlobalSettings>, base?: GlobalSettings): Promise<void>;
  setBookmarks(bookmarks: Bookmark[]): void;
  setVmHosts(vmHosts: VmHost[]): void;
  /** Adds or replaces one bookmark (by id). */
  putBookmark(bookmark: Bookmark): void;
  deleteBookmark(id: string): Promise<void>;
  undoDelete(): Promise<void>;
  dismissDeleted(): void;
  dismissNotice(index: number): void;
}

export const DEFAULT_SETTINGS: GlobalSettings = v.parse(GlobalSettingsSchema, {});

export const useSettings = create<SettingsState>()((set, get) => ({
  loaded: false,
  loadError: '',
  settings: DEFAULT_SETTINGS,
  bookmarks: [],
  vmHosts: [],
  revision: -1,
  notices: [],
  passwordStorage: { available: false, reason: 'the settings are not loaded yet' },
  deleted: undefined,
  async load() {
    try {
      const snapshot = await platform().invoke('settings:load', {});
      set({
        loaded: true,
        loadError: '',
        settings: snapshot.settings,
        bookmarks: snapshot.bookmarks,
        vmHosts: snapshot.vmHosts,
        revision: snapshot.revision,
        notices: snapshot.notices,
        passwordStorage: snapshot.passwordStorage,
      });
    } catch (error) {
      set({ loaded: true, loadError: (error as Error).message });
    }
  },
  async reloadIfChanged() {
    if (!get().loaded) return;
    const revision = await platform().invoke('settings:revision', {});
    if (revision !== get().revision) await get().load();
  },
  async updateSettings(patch, base) {
    try {
      const settings = await platform().invoke(
        'settings:update',
        base ? { settings: patch, base } : { settings: patch },
      );
      set({ settings });
    } catch (error) {
      // Refused as stale, perhaps: show what is saved now.
      await get().reloadIfChanged();
      throw error;
    }
  },
  setBookmarks(bookmarks) {
    set({ bookmarks });
  },
  setVmHosts(vmHosts) {
    set({ vmHosts });
  },
  putBookmark(bookmark) {
    const list = get().bookmarks;
    const index = list.findIndex((b) => b.id === bookmark.id);
    set({
      bookmarks: index < 0 ? [...list, bookmark] : list.map((b, i) => (i === index ? bookmark : b)),
    });
  },
  async deleteBookmark(id) {
    const bookmark = get().bookmarks.find((b) => b.id === id);
    const bookmarks = await platform().invoke('bookmarks:delete', { id });
    set({ bookmarks, deleted: bookmark });
  },
  async undoDelete() {
    const deleted = get().deleted;
    if (!deleted) return;
    const bookmarks = await platform().invoke('bookmarks:undo-delete', { id: deleted.id });
    set({ bookmarks, deleted: undefined });
  },
  dismissDeleted() {
    set({ deleted: undefined });
  },
  dismissNotice(index) {
    set({ notices: get().notices.filter((_, i) => i !== index) });
  },
}));

/** How often a window looks for saves made elsewhere (another window or page, a `porthole` command). */
const WATCH_MS = 2000;

/** Keeps this copy current with the saved document; returns the function that stops it. */
export function watchSettingsChanges(): () => void {
  const check = () =>
    void useSettings
      .getState()
      .reloadIfChanged()
      .catch(() => undefined);
  const timer = setInterval(check, WATCH_MS);
  window.addEventListener('focus', check);
  return () => {
    clearInterval(timer);
    window.removeEventListener('focus', check);
  };
}
