import type { PointerMode, RemoteLeds } from '../../../shared/session-protocol.ts';
import { createTabStore } from './tab-store.ts';

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

const extensions = createTabStore(NO_EXTENSIONS);

export const useExtensions = extensions.store;

/** The extensions of one tab, for components. */
export const useTabExtensions = extensions.useTab;
