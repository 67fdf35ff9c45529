import { create } from 'zustand';
import type { PointerMode, RemoteLeds } from '../../../shared/session-protocol.ts';

/** What a session's server offers beyond plain RFB, and the user's audio choice, per tab. */
export interface TabExtensions {
  /** XVP: the Power menu is shown. */
  power: boolean;
  /** QEMU Audio acknowledged: "Play remote audio" is offered. */
  audio: boolean;
  /** The user turned "Play remote audio" on (off by default). */
  playAudio: boolean;
  /** The server sent a screen layout (ExtendedDesktopSize): "Resize remote to window" is offered. */
  resizeRemote: boolean;
  /** The user turned "Remote resizes with the window" on (off by default). */
  autoResize: boolean;
  /** The server streams continuous updates. */
  continuousUpdates: boolean;
  /** The remote lock lights (QEMU LED State); undefined until the server sends them. */
  leds: RemoteLeds | undefined;
  /** How the server reads the pointer (QEMU Pointer Motion Change). */
  pointerMode: PointerMode;
  /** Relative mode: the pointer is captured (Pointer Lock) on the remote screen. */
  pointerLocked: boolean;
}

export const NO_EXTENSIONS: TabExtensions = {
  power: false,
  audio: false,
  playAudio: false,
  resizeRemote: false,
  autoResize: false,
  continuousUpdates: false,
  leds: undefined,
  pointerMode: 'absolute',
  pointerLocked: false,
};

interface ExtensionsState {
  byTab: Record<string, TabExtensions>;
  patch(tabId: string, patch: Partial<TabExtensions>): void;
  remove(tabId: string): void;
}

export const useExtensions = create<ExtensionsState>()((set) => ({
  byTab: {},
  patch(tabId, patch) {
    set((s) => ({ byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? NO_EXTENSIONS), ...patch } } }));
  },
  remove(tabId) {
    set((s) => {
      const { [tabId]: _gone, ...rest } = s.byTab;
      return { byTab: rest };
    });
  },
}));

/** The extensions of one tab, for components. */
export function useTabExtensions(tabId: string): TabExtensions {
  return useExtensions((s) => s.byTab[tabId] ?? NO_EXTENSIONS);
}
