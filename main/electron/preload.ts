import { contextBridge } from 'electron';
import type { PortholeApi } from '../../shared/ipc.ts';

/** The renderer's only door to the main side: a narrow, typed API (see shared/ipc.ts). */
const api: PortholeApi = {
  versions: {
    electron: process.versions.electron ?? '',
    chrome: process.versions.chrome ?? '',
    node: process.versions.node,
  },
};

contextBridge.exposeInMainWorld('porthole', api);
