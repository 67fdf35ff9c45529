import type { ControlName, ControlParams, ControlResult } from '../../../shared/ipc.ts';
import type { FromSession, ToSession } from '../../../shared/session-protocol.ts';

/** One session's connection to the process that holds it. */
export interface SessionPort {
  post(message: ToSession): void;
  onMessage(listener: (message: FromSession) => void): void;
  /** The session process went away (its port closed). */
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * What the viewer needs from the platform: Electron (through the preload bridge) or
 * browser mode (through WebSockets). Both carry the contract of shared/ipc.ts.
 */
export interface PlatformClient {
  kind: 'electron' | 'web';
  openSession(): Promise<SessionPort>;
  /** A control request of shared/ipc.ts (settings, bookmarks, files, links, scans, recent). */
  invoke<N extends ControlName>(name: N, params: ControlParams<N>): Promise<ControlResult<N>>;
  readClipboard(): Promise<string>;
  writeClipboard(text: string): Promise<void>;
  /** Saves a PNG; returns where (a path, or the file name of a download), or null if cancelled. */
  saveScreenshot(png: Uint8Array, suggestedName: string): Promise<string | null>;
  setFullScreen(on: boolean): Promise<void>;
  /** Targets the platform wants opened (vnc:// links); returns the unsubscribe function. */
  onOpenTarget(listener: (target: string) => void): () => void;
  /**
   * The machine may have slept or the network come back (the page became visible or went
   * online; in Electron also powerMonitor's 'resume'); returns the unsubscribe function.
   */
  onResume(listener: () => void): () => void;
}

export type ControlCall = <N extends ControlName>(
  name: N,
  params: ControlParams<N>,
) => Promise<ControlResult<N>>;
