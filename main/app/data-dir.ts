import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where browser mode keeps its settings when Electron's userData is not available: the
 * platform's configuration directory, or PORTHOLE_DATA_DIR when set.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PORTHOLE_DATA_DIR) return env.PORTHOLE_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Porthole');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Porthole');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'porthole');
}
