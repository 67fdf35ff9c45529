import { type FormEvent, useId, useState } from 'react';
import type { DiscoveredServer } from '../../../shared/ipc.ts';
import { describeSecurityTypes } from '../../../shared/security-types.ts';
import { newBookmarkFields } from '../bookmarks/BookmarkEditor.tsx';
import { platform } from '../platform/index.ts';
import { openEditor } from '../state/dialogs.ts';

/** The address of a found server in the `host::port` form every VNC viewer reads. */
export function serverAddress(server: DiscoveredServer): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${host}::${server.port}`;
}

function parsePort(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/**
 * Finds the VNC servers on a host (a VM host's consoles on 5900, 5901, …), as `porthole scan`:
 * each with its version, security types and, where no password is needed, desktop name and size.
 */
export function ScanPanel(props: { onConnect(address: string): void }) {
  const [host, setHost] = useState('');
  const [firstPort, setFirstPort] = useState('');
  const [lastPort, setLastPort] = useState('');
  const [servers, setServers] = useState<DiscoveredServer[] | undefined>(undefined);
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState('');
  const ids = { heading: useId(), host: useId(), first: useId(), last: useId(), error: useId() };

  const scan = async (event: FormEvent) => {
    event.preventDefault();
    const first = parsePort(firstPort);
    const last = parsePort(lastPort);
    if (!host.trim()) return setError('Type the host to scan, e.g. 127.0.0.1 or a VM host name.');
    if (first === null || last === null) return setError('Ports are numbers from 1 to 65535.');
    if (first !== undefined && last !== undefined && last < first)
      return setError('The last port comes after the first.');
    setError('');
    setScanning(true);
    setServers(undefined);
    try {
      const params: { host: string; firstPort?: number; lastPort?: number } = { host: host.trim() };
      // One port given alone: that port only.
      if (first !== undefined) params.firstPort = first;
      if (last !== undefined || first !== undefined) params.lastPort = last ?? first;
      setServers(await platform().invoke('scan:host', params));
    } catch (e) {
      setError(`The scan failed: ${(e as Error).message}`);
    } finally {
      setScanning(false);
    }
  };

  return (
    <section aria-labelledby={ids.heading} className="scan">
      <h2 id={ids.heading}>Find servers on a host</h2>
      <form onSubmit={scan} className="row wrap" aria-describedby={error ? ids.error : undefined}>
        <label htmlFor={ids.host}>Host to scan</label>
        <input
          id={ids.host}
          type="text"
          value={host}
          onChange={(e) => setHost(e.target.value)}
          spellCheck={false}
        />
        <label htmlFor={ids.first}>First port</label>
        <input
          id={ids.first}
          type="text"
          inputMode="numeric"
          size={6}
          placeholder="5900"
          value={firstPort}
          onChange={(e) => setFirstPort(e.target.value)}
        />
        <label htmlFor={ids.last}>Last port</label>
        <input
          id={ids.last}
          type="text"
          inputMode="numeric"
          size={6}
          placeholder="5999"
          value={lastPort}
          onChange={(e) => setLastPort(e.target.value)}
        />
        <button type="submit" disabled={scanning}>
          {scanning ? 'Scanning…' : 'Scan'}
        </button>
      </form>
      {error && (
        <p id={ids.error} role="alert" className="error">
          {error}
        </p>
      )}
      {servers && servers.length === 0 && (
        <p role="status" className="muted">
          No VNC server answered on {host}.
        </p>
      )}
      {servers && servers.length > 0 && (
        <table className="servers" aria-label="Servers found">
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">Version</th>
              <th scope="col">Security</th>
              <th scope="col">Desktop</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((server) => {
              const address = serverAddress(server);
              const size = server.width !== undefined ? ` (${server.width}×${server.height})` : '';
              return (
                <tr key={address}>
                  <td>{server.port}</td>
                  <td>{server.version}</td>
                  <td>{describeSecurityTypes(server.securityTypes, server.vencryptSubtypes) || '—'}</td>
                  <td>{server.name !== undefined ? `${server.name}${size}` : (server.note ?? '—')}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Connect to port ${server.port}`}
                      onClick={() => props.onConnect(address)}
                    >
                      Connect
                    </button>
                    <button
                      type="button"
                      aria-label={`Bookmark port ${server.port}`}
                      onClick={() =>
                        openEditor({
                          fields: newBookmarkFields(address, { name: server.name || address }),
                          hasPassword: false,
                        })
                      }
                    >
                      Bookmark
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
