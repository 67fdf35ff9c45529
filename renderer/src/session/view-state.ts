import type {
  ConnectionInfo,
  FirstUpdateProgress,
  PictureInEffect,
} from '../../../shared/session-protocol.ts';
import type { LiveStats } from './live-stats.ts';
import { createTabStore } from './tab-store.ts';

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
  /** The statistics overlay is shown, and its figures once the first counters arrived. */
  statsShown: boolean;
  stats: LiveStats | undefined;
}

export const NO_VIEW: TabView = {
  auto: undefined,
  inEffect: undefined,
  progress: undefined,
  connectionInfo: undefined,
  hasPicture: false,
  noticeStays: false,
  sticky: { Ctrl: false, Alt: false, Super: false },
  statsShown: false,
  stats: undefined,
};

const views = createTabStore(NO_VIEW);

export const useViews = views.store;

/** The view state of one tab, for components. */
export const useTabView = views.useTab;
