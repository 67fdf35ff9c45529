import { useEffect, useId, useRef, useState } from 'react';
import { COLOUR_LEVELS } from '../../../shared/colour-level.ts';
import { PICTURE_QUALITIES } from '../../../shared/picture-quality.ts';
import { saveSessionAsBookmark } from '../bookmarks/BookmarkEditor.tsx';
import { platform } from '../platform/index.ts';
import { type SessionController, sessionController, startSession } from '../session/controller.ts';
import { SCALINGS, type Scaling, type Tab, useApp } from '../state/store.ts';
import { Choice } from './Choice.tsx';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS } from './labels.ts';
import { PasswordDialog } from './PasswordDialog.tsx';
import { ScreenArea } from './ScreenArea.tsx';
import { type MenuAction, SessionMenu } from './SessionMenu.tsx';
import { StatusLine } from './StatusLine.tsx';

const SCALING_LABELS: Record<Scaling, string> = { fit: 'Fit to window', '1:1': '1:1', fill: 'Fill window' };

/** A session: the status line, the toolbar, the remote screen, and the dialogs over it. */
export function SessionView({ tab }: { tab: Tab }) {
  const controller = sessionController(tab.id);
  const [fullScreen, setFullScreen] = useState(false);
  const toolbar = useRef<HTMLDivElement>(null);
  if (!controller) return null;
  const update = (patch: Partial<Tab>) => useApp.getState().updateTab(tab.id, patch);
  const phase = tab.status?.phase;
  const ended = phase === 'closed';

  const toggleFullScreen = () => {
    const on = !fullScreen;
    setFullScreen(on);
    platform()
      .setFullScreen(on)
      .catch(() => setFullScreen(!on));
  };
  const screenshot = () =>
    void controller.screenshot().then((where) => {
      if (where) update({ notice: `Saved ${where}` });
    });
  const menuActions: MenuAction[] = [
    {
      label: tab.viewOnly ? 'Leave view only' : 'View only',
      run: () => controller.setViewOnly(!tab.viewOnly),
    },
    { label: 'Full screen', run: toggleFullScreen },
    { label: 'Screenshot', run: screenshot },
    { label: 'Refresh screen', run: () => controller.refresh() },
    {
      label: 'Go to the toolbar',
      run: () => setTimeout(() => toolbar.current?.querySelector<HTMLElement>('button')?.focus()),
    },
    { label: 'Disconnect', run: () => controller.disconnect() },
  ];

  return (
    <section
      className={`session${fullScreen ? ' full' : ''}`}
      aria-label={`Session ${tab.desktopName || tab.target}`}
    >
      <StatusLine tab={tab} />
      <Toolbar
        tab={tab}
        controller={controller}
        ended={ended}
        toolbar={toolbar}
        onFullScreen={toggleFullScreen}
        onScreenshot={screenshot}
      />
      {tab.notice && (
        <p className="notice" role="note">
          {tab.notice}
        </p>
      )}
      {tab.clipboardOpen && <ClipboardPanel tab={tab} controller={controller} />}
      <ScreenArea
        controller={controller}
        scaling={tab.scaling}
        width={tab.width}
        height={tab.height}
        bells={tab.bells}
      />
      {phase === 'password' && tab.status?.phase === 'password' && (
        <PasswordDialog
          target={tab.target}
          message={tab.status.retry ? tab.status.message : undefined}
          onSubmit={(password) => {
            controller.sendPassword(password);
            controller.focus();
          }}
          onCancel={() => controller.disconnect()}
        />
      )}
      {tab.menuOpen && (
        <SessionMenu
          label="Session menu"
          actions={menuActions}
          onCombo={(combo) => controller.sendCombo(combo)}
          onClose={() => {
            update({ menuOpen: false });
            controller.focus();
          }}
        />
      )}
    </section>
  );
}

function Toolbar(props: {
  tab: Tab;
  controller: SessionController;
  ended: boolean;
  toolbar: React.RefObject<HTMLDivElement | null>;
  onFullScreen(): void;
  onScreenshot(): void;
}) {
  const { tab, controller } = props;
  const [keysOpen, setKeysOpen] = useState(false);
  const update = (patch: Partial<Tab>) => useApp.getState().updateTab(tab.id, patch);
  const reconnecting = tab.status?.phase === 'reconnecting';
  return (
    <div role="toolbar" aria-label="Session controls" className="toolbar" ref={props.toolbar}>
      <button type="button" aria-haspopup="menu" aria-expanded={keysOpen} onClick={() => setKeysOpen(true)}>
        Send keys
      </button>
      {keysOpen && (
        <SessionMenu
          label="Send keys"
          onCombo={(combo) => controller.sendCombo(combo)}
          onClose={() => {
            setKeysOpen(false);
            controller.focus();
          }}
        />
      )}
      <button type="button" aria-pressed={tab.viewOnly} onClick={() => controller.setViewOnly(!tab.viewOnly)}>
        View only
      </button>
      <Choice
        label="Scaling"
        value={tab.scaling}
        values={SCALINGS}
        labels={SCALING_LABELS}
        onChange={(scaling) => update({ scaling })}
      />
      <Choice
        label="Picture quality"
        value={tab.quality}
        values={PICTURE_QUALITIES}
        labels={QUALITY_LABELS}
        onChange={(quality) => controller.setQuality(quality)}
      />
      <Choice
        label="Colour level"
        value={tab.colourLevel}
        values={COLOUR_LEVELS}
        labels={COLOUR_LEVEL_LABELS}
        onChange={(level) => controller.setColourLevel(level)}
      />
      <button type="button" onClick={props.onFullScreen}>
        Full screen
      </button>
      <button type="button" onClick={props.onScreenshot}>
        Screenshot
      </button>
      <button
        type="button"
        aria-expanded={tab.clipboardOpen}
        onClick={() => update({ clipboardOpen: !tab.clipboardOpen })}
      >
        Clipboard
      </button>
      <button type="button" onClick={() => controller.refresh()}>
        Refresh
      </button>
      <button type="button" onClick={() => saveSessionAsBookmark(tab)}>
        Save as bookmark
      </button>
      {tab.status?.phase === 'closed' && tab.status.safeModeOffered && (
        <button type="button" onClick={() => controller.reconnect(true)}>
          Reconnect in safe mode
        </button>
      )}
      {props.ended || reconnecting ? (
        <button type="button" onClick={() => controller.reconnect()}>
          {reconnecting ? 'Reconnect now' : 'Reconnect'}
        </button>
      ) : null}
      {!props.ended && (
        <button type="button" onClick={() => controller.disconnect()}>
          Disconnect
        </button>
      )}
    </div>
  );
}

function ClipboardPanel({ tab, controller }: { tab: Tab; controller: SessionController }) {
  const [text, setText] = useState(tab.remoteClipboard);
  const id = useId();
  useEffect(() => setText(tab.remoteClipboard), [tab.remoteClipboard]);
  return (
    <div className="clipboard">
      <label htmlFor={id}>Clipboard text</label>
      <textarea id={id} value={text} rows={3} onChange={(e) => setText(e.target.value)} />
      <button type="button" disabled={tab.viewOnly} onClick={() => controller.sendClipboard(text)}>
        Send clipboard
      </button>
    </div>
  );
}

/** Opens a session in a tab for a target (vnc:// links and menu items). */
export function openTarget(target: string): void {
  const app = useApp.getState();
  const id = app.addConnectTab(target);
  if (target) {
    app.updateTab(id, { kind: 'session', target });
    startSession(id, { target }, platform());
  }
}
