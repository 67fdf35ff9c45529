import * as v from 'valibot';
import { create } from 'zustand';
import type { PasswordStorage } from '../../../shared/ipc.ts';
import { type Bookmark, type GlobalSettings, GlobalSettingsSchema } from '../../../shared/settings.ts';
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
  /** Problems the main side met while loading (a corrupt file moved aside, with its path). */
  notices: string[];
  passwordStorage: PasswordStorage;
  /** The bookmark deleted last, offered for undo until another is deleted or the toast is closed. */
  deleted: Bookmark | undefined;
  load(): Promise<void>;
  updateSettings(patch: Partial<GlobalSettings>): Promise<void>;
  setBookmarks(bookmarks: Bookmark[]): void;
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
        notices: snapshot.notices,
        passwordStorage: snapshot.passwordStorage,
      });
    } catch (error) {
      set({ loaded: true, loadError: (error as Error).message });
    }
  },
  async updateSettings(patch) {
    const settings = await platform().invoke('settings:update', { settings: patch });
    set({ settings });
  },
  setBookmarks(bookmarks) {
    set({ bookmarks });
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
