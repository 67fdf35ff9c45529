import { create } from 'zustand';
import type { ColourLevel } from '../../../shared/colour-level.ts';
import type { RecentConnection } from '../../../shared/ipc.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import type { SessionStatus } from '../../../shared/session-protocol.ts';
import type { Scaling } from '../../../shared/settings.ts';

export type { Scaling } from '../../../shared/settings.ts';

/** One tab: a connect screen, or a session (which starts from one). */
export interface Tab {
  id: string;
  kind: 'connect' | 'session';
  target: string;
  status: SessionStatus | undefined;
  desktopName: string;
  width: number;
  height: number;
  quality: PictureQuality;
  colourLevel: ColourLevel;
  viewOnly: boolean;
  scaling: Scaling;
  /** The server's clipboard text as last received. */
  remoteClipboard: string;
  clipboardOpen: boolean;
  menuOpen: boolean;
  /** Counts bells, so each one can flash the screen. */
  bells: number;
  /** The last screenshot's file name, shown briefly. */
  notice: string;
  /** The bookmark the session was opened from, if any. */
  bookmarkId?: string;
}

export interface AppState {
  tabs: Tab[];
  activeId: string;
  recent: RecentConnection[];
  addConnectTab(target?: string): string;
  updateTab(id: string, patch: Partial<Tab>): void;
  closeTab(id: string): void;
  activate(id: string): void;
  setRecent(recent: RecentConnection[]): void;
}

let counter = 0;
const newId = () => `tab-${++counter}`;

export function connectTab(target = ''): Tab {
  return {
    id: newId(),
    kind: 'connect',
    target,
    status: undefined,
    desktopName: '',
    width: 0,
    height: 0,
    quality: 'auto',
    colourLevel: 'full',
    viewOnly: false,
    scaling: 'fit',
    remoteClipboard: '',
    clipboardOpen: false,
    menuOpen: false,
    bells: 0,
    notice: '',
  };
}

const first = connectTab();

export const useApp = create<AppState>()((set) => ({
  tabs: [first],
  activeId: first.id,
  recent: [],
  addConnectTab(target = '') {
    const tab = connectTab(target);
    set((s) => ({ tabs: [...s.tabs, tab], activeId: tab.id }));
    return tab.id;
  },
  updateTab(id, patch) {
    set((s) => ({ tabs: s.tabs.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
  },
  closeTab(id) {
    set((s) => {
      const index = s.tabs.findIndex((t) => t.id === id);
      let tabs = s.tabs.filter((t) => t.id !== id);
      if (tabs.length === 0) tabs = [connectTab()];
      const activeId = s.activeId === id ? tabs[Math.max(0, index - 1)].id : s.activeId;
      return { tabs, activeId };
    });
  },
  activate(id) {
    set({ activeId: id });
  },
  setRecent(recent) {
    set({ recent });
  },
}));
