import { platform } from '../platform/index.ts';
import { useApp } from '../state/store.ts';
import { openSession, sshTunnelOf } from './open-session.ts';

/**
 * Opens the connections the main side holds for this viewer (`porthole connect FILE.vnc`, a
 * `.vnc` file given to the app), each with the file's settings. The request carries the
 * launch's id, not a password: the session gets the password on the main side.
 */
export async function openLaunches(): Promise<void> {
  let launches: Awaited<ReturnType<typeof takeLaunches>>;
  try {
    launches = await takeLaunches();
  } catch {
    return; // a main side without launches
  }
  for (const launch of launches) {
    const { tabs } = useApp.getState();
    // The page starts with one empty connection tab: the first launch uses it.
    const blank = tabs.length === 1 && tabs[0].kind === 'connect' && !tabs[0].target ? tabs[0].id : undefined;
    const id = blank ?? useApp.getState().addConnectTab(launch.target);
    const { ssh, ...options } = launch.options;
    openSession(id, launch.target, {
      ...options,
      bookmarkId: launch.bookmarkId,
      ...(ssh.enabled && { ssh: sshTunnelOf(ssh) }),
    });
  }
}

function takeLaunches() {
  return platform().invoke('launch:take', {});
}
