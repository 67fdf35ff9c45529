import type { RecentConnection } from '../../shared/ipc.ts';
import { RecentStore } from './recent-store.ts';

/**
 * The control requests both front ends (Electron IPC, browser mode) answer the same way.
 * Platform-specific ones (clipboard, save dialogs, full screen) live with each front end.
 */
export function createControlService(dataDir: string) {
  const recent = new RecentStore(dataDir);
  return {
    'recent:list': (_params: Record<string, never>): Promise<RecentConnection[]> => recent.list(),
    'recent:add': (params: { target: string }): Promise<RecentConnection[]> =>
      recent.add(requireTarget(params)),
    'recent:remove': (params: { target: string }): Promise<RecentConnection[]> =>
      recent.remove(requireTarget(params)),
  };
}

export type ControlService = ReturnType<typeof createControlService>;

function requireTarget(params: { target: string }): string {
  const target = params?.target;
  if (typeof target !== 'string' || target.length === 0 || target.length > 1024) {
    throw new Error('a connection needs a target address of at most 1024 characters');
  }
  return target;
}
