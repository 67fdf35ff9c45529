import type { PreloadBridge } from '../../../shared/ipc.ts';
import type { PlatformClient } from './client.ts';
import { createElectronClient } from './electron-client.ts';
import { createWebClient } from './web-client.ts';

declare global {
  interface Window {
    portholeBridge?: PreloadBridge;
  }
}

let client: PlatformClient | undefined;

/** The platform the viewer runs on: Electron when the preload bridge is there, else browser mode. */
export function platform(): PlatformClient {
  client ??= window.portholeBridge ? createElectronClient(window.portholeBridge) : createWebClient();
  return client;
}
