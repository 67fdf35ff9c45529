import { useEffect, useId, useRef, useState } from 'react';
import type { PowerAction, RemoteLeds } from '../../../shared/session-protocol.ts';
import { saveSessionAsBookmark } from '../bookmarks/BookmarkEditor.tsx';
import { platform } from '../platform/index.ts';
import { type SessionController, sessionController, startSession } from '../session/controller.ts';
import { useTabExtensions } from '../session/extensions-state.ts';
import { type Tab, useApp } from '../state/store.ts';
import { ColourLevelChoice, QualityChoice, ScalingChoice } from './Choice.tsx';
import { PasswordDialog } from './PasswordDialog.tsx';
import { ScreenArea } from './ScreenArea.tsx';
import { type MenuAction, SessionMenu } from './SessionMenu.tsx';
import { SshPromptDialog } from './SshPromptDialog.tsx';
import { StatusLine } from './StatusLine.tsx';

/** A session: the status line, the toolbar, the remote screen, and the dialogs over it. */
export function SessionView({ tab }: { tab: Tab }) {
  const controller = sessionController(tab.id);
  const [fullScreen, setFullScreen] = useState(false);
  const [confirmPower, setConfirmPower] = useState<PowerAction | undefined>();
  const extensions = useTabExtensions(tab.id);
  const toolbar = useRef<HTMLDivElement>(null);
  if (!controller) return null;
  const update = (patch: Partial<Tab>) => useApp.getState().updateTab(tab.id, patch);
  const phase = tab.status?.phase;
  const ended = phase === 'closed';
  const powerOffered = extensions.power && phase === 'connected' && !tab.viewOnly;
  const resizeOffered = extensions.resizeRemote && phase === 'connected' && !tab.viewOnly;
  const pointerHint =
    extensions.pointerMode === 'relative' && !extensions.pointerLocked && phase === 'connected';

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
    ...(resizeOffered
      ? [
          { label: 'Resize remote to fit', run: () => controller.resizeRemoteToWindow() },
          {
            label: extensions.autoResize
              ? 'Stop keeping remote resized to fit'
              : 'Keep remote resized to fit',
            run: () => controller.setAutoResize(!extensions.autoResize),
          },
        ]
      : []),
    ...(powerOffered
      ? POWER_ACTIONS.map((action) => ({
          label: `${POWER_LABELS[action]}…`,
          run: () => setConfirmPower(action),
        }))
      : []),
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
        powerOffered={powerOffered}
        onPower={setConfirmPower}
        resizeOffered={resizeOffered}
      />
      {tab.notice && (
        <p className="notice" role="note" aria-label="Session notice">
          {tab.notice}
        </p>
      )}
      {pointerHint && (
        <p className="notice" role="note" aria-label="Pointer capture">
          Click to capture the pointer; press Ctrl+Alt to release
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
      {tab.status?.phase === 'ssh' && (
        <SshPromptDialog
          key={JSON.stringify(tab.status.prompt)}
          target={tab.target}
          prompt={tab.status.prompt}
          onAnswer={(answer) => controller.answerSsh(answer)}
        />
      )}
      {confirmPower && (
        <PowerConfirm
          action={confirmPower}
          name={tab.desktopName || tab.target}
          onConfirm={() => {
            setConfirmPower(undefined);
            controller.power(confirmPower);
            controller.focus();
          }}
          onCancel={() => {
            setConfirmPower(undefined);
            controller.focus();
          }}
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
  powerOffered: boolean;
  onPower(action: PowerAction): void;
  resizeOffered: boolean;
}) {
  const { tab, controller } = props;
  const [keysOpen, setKeysOpen] = useState(false);
  const [powerOpen, setPowerOpen] = useState(false);
  const extensions = useTabExtensions(tab.id);
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
      <ScalingChoice label="Scaling" value={tab.scaling} onChange={(scaling) => update({ scaling })} />
      <QualityChoice
        label="Picture quality"
        value={tab.quality}
        onChange={(quality) => controller.setQuality(quality)}
      />
      <ColourLevelChoice
        label="Colour level"
        value={tab.colourLevel}
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
      {props.powerOffered && (
        <button
          type="button"
          aria-haspopup="menu"
          aria-expanded={powerOpen}
          onClick={() => setPowerOpen(true)}
        >
          Power
        </button>
      )}
      {powerOpen && (
        <SessionMenu
          label="Power"
          combos={false}
          actions={POWER_ACTIONS.map((action) => ({
            label: `${POWER_LABELS[action]}…`,
            run: () => props.onPower(action),
          }))}
          onCombo={() => undefined}
          onClose={() => setPowerOpen(false)}
        />
      )}
      {extensions.audio && (
        <button
          type="button"
          aria-pressed={extensions.playAudio}
          onClick={() => controller.setPlayAudio(!extensions.playAudio)}
        >
          Play remote audio
        </button>
      )}
      {props.resizeOffered && (
        <>
          <button type="button" onClick={() => controller.resizeRemoteToWindow()}>
            Resize remote to fit
          </button>
          <button
            type="button"
            aria-pressed={extensions.autoResize}
            onClick={() => controller.setAutoResize(!extensions.autoResize)}
          >
            Keep remote resized to fit
          </button>
        </>
      )}
      {extensions.leds && <LockLights leds={extensions.leds} />}
      {extensions.continuousUpdates && (
        <span className="stream-mode" title="The server sends changes as they happen (continuous updates)">
          continuous updates
        </span>
      )}
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

/** The remote keyboard's lock lights (QEMU LED State), small, in the toolbar. */
function LockLights({ leds }: { leds: RemoteLeds }) {
  const lights = [
    ['Caps', 'Caps Lock', leds.capsLock],
    ['Num', 'Num Lock', leds.numLock],
    ['Scroll', 'Scroll Lock', leds.scrollLock],
  ] as const;
  return (
    <span className="leds" title="Remote keyboard lights">
      {lights.map(([short, name, on]) => (
        <span key={short} className={on ? 'led on' : 'led'} title={`${name} ${on ? 'on' : 'off'}`}>
          {short}
        </span>
      ))}
    </span>
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

const POWER_ACTIONS: readonly PowerAction[] = ['shutdown', 'reboot', 'reset'];
const POWER_LABELS: Record<PowerAction, string> = { shutdown: 'Shut down', reboot: 'Reboot', reset: 'Reset' };
const POWER_WARNINGS: Record<PowerAction, string> = {
  shutdown: 'The machine is asked to shut down (as if its power button were pressed).',
  reboot: 'The machine is asked to restart.',
  reset: 'The machine restarts at once, without shutting down: unsaved work in it is lost.',
};

/** Asks before a power action: none of them can be undone. */
function PowerConfirm(props: { action: PowerAction; name: string; onConfirm(): void; onCancel(): void }) {
  const ids = { title: useId(), text: useId() };
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  const label = POWER_LABELS[props.action];
  return (
    <div className="overlay">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-describedby={ids.text}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel();
        }}
      >
        <h2 id={ids.title}>
          {label} {props.name}?
        </h2>
        <p id={ids.text}>{POWER_WARNINGS[props.action]}</p>
        <div className="buttons">
          <button type="button" ref={confirm} onClick={props.onConfirm}>
            {label}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </div>
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
