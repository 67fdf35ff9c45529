import { create } from 'zustand';
import type { ResolvedLink } from '../../../shared/ipc.ts';
import type { EditorSeed } from '../bookmarks/BookmarkEditor.tsx';
import type { ImportReport } from '../bookmarks/files.ts';

/** The application-wide dialogs: at most one of each open, whichever screen asked for it. */
export interface DialogsState {
  /** The bookmark editor's starting point, while it is open. */
  editor: EditorSeed | undefined;
  settingsOpen: boolean;
  /** A vnc:// link to a server that is not a bookmark, waiting for the user's yes or no. */
  link: ResolvedLink | undefined;
  /** What the last import (file picker or dropped files) did. */
  importReport: ImportReport | undefined;
}

export const useDialogs = create<DialogsState>()(() => ({
  editor: undefined,
  settingsOpen: false,
  link: undefined,
  importReport: undefined,
}));

export function openEditor(seed: EditorSeed): void {
  useDialogs.setState({ editor: seed });
}
