import { create } from 'zustand';
import type {
  ConnectionInfo,
  FirstUpdateProgress,
  PictureInEffect,
} from '../../../shared/session-protocol.ts';

/** Modifier keys the user can hold down from the menu or toolbar (as TigerVNC's menu offers). */
export const STICKY_MODIFIERS = ['Ctrl', 'Alt', 'Super'] as const;
export type StickyModifier = (typeof STICKY_MODIFIERS)[number];

/** What a session's view shows beyond its status, per tab. */
export interface TabView {
  /** What picture quality Auto last measured and chose ("Auto: 119 kbit/s … → 8-bit colour, lossless"). */
  auto: string | undefined;
  /** The preset and colour level actually in effect (Auto's or safe mode's choice). */
  inEffect: PictureInEffect | undefined;
  /** The first full update while it arrives. */
  progress: FirstUpdateProgress | undefined;
  /** The last answer to "Connection info", while its dialog is open. */
  connectionInfo: ConnectionInfo | undefined;
  /** A picture has been painted in this tab (a dropped session keeps it, dimmed). */
  hasPicture: boolean;
  /** The notice on screen is an error: it stays until dismissed. */
  noticeStays: boolean;
  /** Modifier keys held down by the user's toggle. */
  sticky: Record<StickyModifier, boolean>;
}

export const NO_VIEW: TabView = {
  auto: undefined,
  inEffect: undefined,
  progress: undefined,
  connectionInfo: undefined,
  hasPicture: false,
  noticeStays: false,
  sticky: { Ctrl: false, Alt: false, Super: false },
};

interface ViewState {
  byTab: Record<string, TabView>;
  patch(tabId: string, patch: Partial<TabView>): void;
  remove(tabId: string): void;
}

export const useViews = create<ViewState>()((set) => ({
  byTab: {},
  patch(tabId, patch) {
    set((s) => ({ byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? NO_VIEW), ...patch } } }));
  },
  remove(tabId) {
    set((s) => {
      const { [tabId]: _gone, ...rest } = s.byTab;
      return { byTab: rest };
    });
  },
}));

/** The view state of one tab, for components. */
export function useTabView(tabId: string): TabView {
  return useViews((s) => s.byTab[tabId] ?? NO_VIEW);
}
