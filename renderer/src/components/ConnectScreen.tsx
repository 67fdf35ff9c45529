import { type FormEvent, useEffect, useId, useState } from 'react';
import type { ColourLevel } from '../../../shared/colour-level.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import { parseTarget } from '../../../shared/target.ts';
import { BookmarksPanel } from '../bookmarks/BookmarksPanel.tsx';
import { openBookmark, openSession } from '../connect/open-session.ts';
import { ScanPanel } from '../discovery/ScanPanel.tsx';
import { VmHostPanel } from '../discovery/VmHostPanel.tsx';
import { platform } from '../platform/index.ts';
import { useSettings } from '../state/settings.ts';
import { type Tab, useApp } from '../state/store.ts';
import { ColourLevelChoice, QualityChoice } from './Choice.tsx';

/** The connect screen: an address with options, the bookmarks, recent connections, listening and scanning. */
export function ConnectScreen({ tab }: { tab: Tab }) {
  const settings = useSettings((s) => s.settings);
  const loaded = useSettings((s) => s.loaded);
  const [address, setAddress] = useState(tab.target);
  const [quality, setQuality] = useState<PictureQuality>(settings.defaultQuality);
  const [colourLevel, setColourLevel] = useState<ColourLevel>(settings.defaultColourLevel);
  const [viewOnly, setViewOnly] = useState(false);
  const [error, setError] = useState('');
  const [listenPort, setListenPort] = useState(String(settings.listen.port));
  const recent = useApp((s) => s.recent);
  // The defaults arrive with the settings (after this screen may have appeared) and change with them.
  useEffect(() => {
    if (!loaded) return;
    setQuality(settings.defaultQuality);
    setColourLevel(settings.defaultColourLevel);
    setListenPort(String(settings.listen.port));
  }, [loaded, settings]);
  const ids = { address: useId(), error: useId(), recent: useId(), listen: useId() };

  useEffect(() => {
    platform()
      .invoke('recent:list', {})
      .then((list) => useApp.getState().setRecent(list))
      .catch(() => undefined);
  }, []);

  const connect = (target: string) => {
    try {
      parseTarget(target);
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    setError('');
    openSession(tab.id, target, { quality, colourLevel, viewOnly });
  };

  const listen = () => {
    const port = Number(listenPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      setError(`"${listenPort}" is not a port number (1–65535)`);
      return;
    }
    setError('');
    openSession(tab.id, `listening on port ${port}`, { listenPort: port, quality, colourLevel, viewOnly });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect(address.trim());
  };

  return (
    <section className="connect" aria-label="New connection">
      <h1>Connect to a VNC server</h1>
      <form onSubmit={submit}>
        <label htmlFor={ids.address} className="address-label">
          Server address
        </label>
        <div className="row">
          <input
            id={ids.address}
            type="text"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            placeholder="host:display, host::port or vnc://host:port"
            aria-describedby={error ? ids.error : undefined}
            aria-invalid={error ? true : undefined}
            autoComplete="off"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the address is the one thing to type on this screen
            autoFocus
          />
          <button type="submit">Connect</button>
        </div>
        {error && (
          <p id={ids.error} role="alert" className="error">
            {error}
          </p>
        )}
        <fieldset>
          <legend>Options</legend>
          <QualityChoice label="Picture quality" value={quality} onChange={setQuality} />
          <ColourLevelChoice label="Colour level" value={colourLevel} onChange={setColourLevel} />
          <label className="check">
            <input type="checkbox" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} />
            View only
          </label>
        </fieldset>
      </form>
      <BookmarksPanel onConnect={(bookmark) => openBookmark(tab.id, bookmark)} />
      <h2>Incoming connections</h2>
      <p className="muted">
        A server started with <code>x11vnc -connect</code> or QEMU's <code>reverse=on</code> connects to the
        viewer.
      </p>
      <div className="row">
        <label htmlFor={ids.listen}>Listen on port</label>
        <input
          id={ids.listen}
          type="text"
          inputMode="numeric"
          value={listenPort}
          onChange={(e) => setListenPort(e.target.value)}
          size={6}
        />
        <button type="button" onClick={listen}>
          Listen for a server
        </button>
      </div>
      <h2 id={ids.recent}>Recent connections</h2>
      {recent.length === 0 ? (
        <p className="muted">Servers you connect to appear here.</p>
      ) : (
        <ul aria-labelledby={ids.recent} className="recent">
          {recent.map((r) => (
            <li key={r.target}>
              <button type="button" aria-label={`Connect to ${r.target}`} onClick={() => connect(r.target)}>
                {r.target}
              </button>
              <span className="muted">{new Date(r.lastConnected).toLocaleString()}</span>
              <button
                type="button"
                className="small"
                aria-label={`Forget ${r.target}`}
                onClick={() =>
                  void platform()
                    .invoke('recent:remove', { target: r.target })
                    .then((list) => useApp.getState().setRecent(list))
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <ScanPanel onConnect={connect} />
      <VmHostPanel />
    </section>
  );
}
