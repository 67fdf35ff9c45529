import { type FormEvent, useEffect, useId, useState } from 'react';
import { COLOUR_LEVELS, type ColourLevel } from '../../../shared/colour-level.ts';
import { PICTURE_QUALITIES, type PictureQuality } from '../../../shared/picture-quality.ts';
import { LISTEN_PORT } from '../../../shared/session-protocol.ts';
import { parseTarget } from '../../../shared/target.ts';
import { platform } from '../platform/index.ts';
import { startSession } from '../session/controller.ts';
import { type Tab, useApp } from '../state/store.ts';
import { Choice } from './Choice.tsx';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS } from './labels.ts';

const MENU_KEYS = ['F8', 'F9', 'F10', 'F11', 'F12', ''];

/** The connect screen: an address, connection options, and the recent connections. */
export function ConnectScreen({ tab }: { tab: Tab }) {
  const [address, setAddress] = useState(tab.target);
  const [quality, setQuality] = useState<PictureQuality>('auto');
  const [colourLevel, setColourLevel] = useState<ColourLevel>('full');
  const [viewOnly, setViewOnly] = useState(false);
  const [error, setError] = useState('');
  const [listenPort, setListenPort] = useState(String(LISTEN_PORT));
  const recent = useApp((s) => s.recent);
  const menuKey = useApp((s) => s.menuKey);
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
    useApp
      .getState()
      .updateTab(tab.id, { kind: 'session', target, quality, colourLevel, viewOnly, status: undefined });
    startSession(tab.id, { target, quality, colourLevel, viewOnly }, platform());
  };

  const listen = () => {
    const port = Number(listenPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      setError(`"${listenPort}" is not a port number (1–65535)`);
      return;
    }
    setError('');
    const target = `listening on port ${port}`;
    useApp
      .getState()
      .updateTab(tab.id, { kind: 'session', target, quality, colourLevel, viewOnly, status: undefined });
    startSession(tab.id, { target, listenPort: port, quality, colourLevel, viewOnly }, platform());
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
          <Choice
            label="Picture quality"
            value={quality}
            values={PICTURE_QUALITIES}
            labels={QUALITY_LABELS}
            onChange={setQuality}
          />
          <Choice
            label="Colour level"
            value={colourLevel}
            values={COLOUR_LEVELS}
            labels={COLOUR_LEVEL_LABELS}
            onChange={setColourLevel}
          />
          <label className="check">
            <input type="checkbox" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} />
            View only
          </label>
          <label>
            Menu key
            <select value={menuKey} onChange={(e) => useApp.getState().setMenuKey(e.target.value)}>
              {MENU_KEYS.map((k) => (
                <option key={k} value={k}>
                  {k || 'None'}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      </form>
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
    </section>
  );
}
