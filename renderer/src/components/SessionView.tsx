/*
 * Over 400 lines on purpose: the session's screen and everything over it (status, toolbar,
 * notices, dialogs, the F8 menu's groups), which read one tab's state; the toolbar, menu,
 * dialogs, statistics and screen area are their own components.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { COLOUR_LEVELS } from '../../../shared/colour-level.ts';
import { PICTURE_QUALITIES } from '../../../shared/picture-quality.ts';
import type { PowerAction } from '../../../shared/session-protocol.ts';
import { SCALINGS } from '../../../shared/settings.ts';
import { saveSessionAsBookmark } from '../bookmarks/BookmarkEditor.tsx';
import { platform } from '../platform/index.ts';
import { CertificateDialog } from '../security/CertificateDialog.tsx';
import {
  endSession,
  type SessionController,
  sessionController,
  startSession,
} from '../session/controller.ts';
import { useTabExtensions } from '../session/extensions-state.ts';
import { useTabView } from '../session/view-state.ts';
import { type Tab, useApp } from '../state/store.ts';
import { ConnectionInfoDialog } from './ConnectionInfoDialog.tsx';
import { Dialog } from './Dialog.tsx';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS, SCALING_LABELS } from './labels.ts';
import { PasswordDialog } from './PasswordDialog.tsx';
import { ScreenArea } from './ScreenArea.tsx';
import { type MenuAction, type MenuAnchor, type MenuGroup, radioGroup, SessionMenu } from './SessionMenu.tsx';
import { heldKeysGroup, POWER_ACTIONS, POWER_LABELS, SessionToolbar } from './SessionToolbar.tsx';
import { SshPromptDialog } from './SshPromptDialog.tsx';
import { StatsOverlay } from './StatsOverlay.tsx';
import { StatusLine, statusText } from './StatusLine.tsx';

/** How long a notice stays on screen; an error notice stays until dismissed. */
const NOTICE_MS = 6000;

/** The key that leaves full screen, told once per run. */
let fullScreenHintShown = false;

/** A session: the status line, the toolbar, the remote screen, and the dialogs over it. */
export function SessionView({ tab }: { tab: Tab }) {
  const controller = sessionController(tab.id);
  const [fullScreen, setFullScreen] = useState(false);
  const [fullScreenHint, setFullScreenHint] = useState(false);
  const [confirmPower, setConfirmPower] = useState<PowerAction | undefined>();
  const [infoOpen, setInfoOpen] = useState(false);
  const extensions = useTabExtensions(tab.id);
  const view = useTabView(tab.id);
  const toolbar = useRef<HTMLDivElement>(null);
  const screenBox = useRef<HTMLDivElement>(null);
  useNoticeFading(tab, view.noticeStays);
  useEffect(() => {
    // Full screen left by the browser itself (Esc): show the bars again.
    const left = () => {
      if (!document.fullscreenElement) setFullScreen(false);
    };
    document.addEventListener('fullscreenchange', left);
    return () => document.removeEventListener('fullscreenchange', left);
  }, []);
  if (!controller) return null;
  const update = (patch: Partial<Tab>) => useApp.getState().updateTab(tab.id, patch);
  const phase = tab.status?.phase;
  const connected = phase === 'connected';
  const ended = phase === 'closed';
  const powerOffered = extensions.power && connected && !tab.viewOnly;
  const resizeOffered = extensions.resizeRemote && connected && !tab.viewOnly;
  const pointerHint =
    extensions.pointerMode === 'relative' && !extensions.pointerLocked && connected && !tab.viewOnly;
  // The last picture stays on screen after a drop, dimmed, until the session is live again.
  const notLive = view.hasPicture && !connected;
  const neverConnected = ended && !view.hasPicture;

  const toggleFullScreen = () => {
    const on = !fullScreen;
    setFullScreen(on);
    setFullScreenHint(on && !fullScreenHintShown);
    if (on && !fullScreenHintShown) {
      fullScreenHintShown = true;
      setTimeout(() => setFullScreenHint(false), NOTICE_MS);
    }
    platform()
      .setFullScreen(on)
      .catch(() => setFullScreen(!on));
    // Keys go to the remote screen again (and the pull-down bar, holding no focus, tucks away).
    controller.focus();
  };
  const screenshot = () =>
    void controller.screenshot().then((where) => {
      if (where) controller.showNotice(`Saved ${where}`, false);
    });
  const openInfo = () => {
    controller.requestConnectionInfo();
    setInfoOpen(true);
  };
  const canType = connected && !tab.viewOnly;
  const sessionGroup: MenuAction[] = [
    {
      label: 'View only',
      kind: 'check',
      checked: tab.viewOnly,
      run: () => controller.setViewOnly(!tab.viewOnly),
      shortcut: 'v',
    },
    { label: 'Full screen', kind: 'check', checked: fullScreen, run: toggleFullScreen, shortcut: 'f' },
    { label: 'Screenshot', run: screenshot, shortcut: 's', disabled: !view.hasPicture },
    {
      label: 'Clipboard',
      kind: 'check',
      checked: tab.clipboardOpen,
      run: () => update({ clipboardOpen: !tab.clipboardOpen }),
      shortcut: 'c',
    },
    { label: 'Refresh screen', run: () => controller.refresh(), shortcut: 'r', disabled: !connected },
    { label: 'Connection info', run: openInfo, shortcut: 'i', disabled: !connected },
    {
      label: 'Statistics',
      kind: 'check',
      checked: view.statsShown,
      run: () => controller.setStatsShown(!view.statsShown),
      shortcut: 'a',
    },
    ...(resizeOffered
      ? [
          { label: 'Resize remote to fit', run: () => controller.resizeRemoteToWindow() },
          {
            label: 'Keep remote resized to fit',
            kind: 'check' as const,
            checked: extensions.autoResize,
            run: () => controller.setAutoResize(!extensions.autoResize),
          },
        ]
      : []),
    ...(extensions.audio
      ? [
          {
            label: 'Play remote audio',
            kind: 'check' as const,
            checked: extensions.playAudio,
            run: () => controller.setPlayAudio(!extensions.playAudio),
          },
        ]
      : []),
    { label: 'Save as bookmark…', run: () => saveSessionAsBookmark(tab), shortcut: 'b' },
    {
      label: 'Go to the toolbar',
      run: () =>
        setTimeout(() => toolbar.current?.querySelector<HTMLElement>('button:not([disabled])')?.focus()),
      shortcut: 't',
    },
    ...(ended
      ? [{ label: 'Reconnect', run: () => controller.reconnect() }]
      : [{ label: 'Disconnect', run: () => controller.disconnect(), shortcut: 'd' }]),
  ];
  const menuGroups: MenuGroup[] = [
    { label: 'Session', actions: sessionGroup },
    radioGroup('Picture quality', PICTURE_QUALITIES, QUALITY_LABELS, tab.quality, (q) =>
      controller.setQuality(q),
    ),
    radioGroup('Colour level', COLOUR_LEVELS, COLOUR_LEVEL_LABELS, tab.colourLevel, (l) =>
      controller.setColourLevel(l),
    ),
    radioGroup('Scaling', SCALINGS, SCALING_LABELS, tab.scaling, (scaling) => update({ scaling })),
    heldKeysGroup(controller, view.sticky, !canType),
    ...(powerOffered
      ? [
          {
            label: 'Power',
            actions: POWER_ACTIONS.map((action) => ({
              label: `${POWER_LABELS[action]}…`,
              run: () => setConfirmPower(action),
            })),
          },
        ]
      : []),
  ];
  const screenCorner = (): MenuAnchor => {
    const box = screenBox.current?.getBoundingClientRect();
    return { x: (box?.left ?? 0) + 8, y: (box?.top ?? 0) + 8 };
  };

  return (
    <section
      className={`session${fullScreen ? ' fullscreen' : ''}${notLive ? ' stale' : ''}`}
      aria-label={`Session ${tab.desktopName || tab.target}`}
    >
      <StatusLine tab={tab} />
      <div className={fullScreen ? 'pull-bar' : 'toolbar-row'}>
        {fullScreen && (
          <div className="pull-handle" aria-hidden="true">
            {tab.desktopName || tab.target}
          </div>
        )}
        <SessionToolbar
          tab={tab}
          controller={controller}
          toolbar={toolbar}
          fullScreen={fullScreen}
          onFullScreen={toggleFullScreen}
          onScreenshot={screenshot}
          onConnectionInfo={openInfo}
          statsShown={view.statsShown}
          onStats={() => controller.setStatsShown(!view.statsShown)}
          powerOffered={powerOffered}
          onPower={setConfirmPower}
          resizeOffered={resizeOffered}
        />
      </div>
      {tab.clipboardOpen && <ClipboardPanel tab={tab} controller={controller} />}
      <div className="screen-box" ref={screenBox}>
        <ScreenArea
          controller={controller}
          scaling={tab.scaling}
          width={tab.width}
          height={tab.height}
          bells={tab.bells}
        />
        <div className="screen-notes">
          {notLive && (
            <p className="not-live" role="note" aria-label="Not live">
              Not live:{' '}
              {phase === 'closed' ? 'the connection has ended' : 'the connection dropped; reconnecting'}. This
              is the last picture received.
            </p>
          )}
          {tab.viewOnly && connected && (
            <p className="view-only-note" role="note" aria-label="View only">
              View only: keys, pointer and clipboard are not sent to the server
            </p>
          )}
          {tab.notice &&
            (view.noticeStays ? (
              <div className="dismissible">
                <p className="notice stays" role="note" aria-label="Session notice">
                  {tab.notice}
                </p>
                <button
                  type="button"
                  className="small"
                  aria-label="Dismiss notice"
                  onClick={() => update({ notice: '' })}
                >
                  ×
                </button>
              </div>
            ) : (
              <p className="notice" role="note" aria-label="Session notice">
                {tab.notice}
              </p>
            ))}
          {pointerHint && (
            <p className="notice" role="note" aria-label="Pointer capture">
              Click to capture the pointer; press Ctrl+Alt to release
            </p>
          )}
          {fullScreenHint && fullScreen && (
            <p className="notice" role="note" aria-label="Leaving full screen">
              {platform().kind === 'electron'
                ? 'Full screen: press F11 to leave; the bar at the top edge has the toolbar'
                : 'Full screen: press and hold Esc to leave; the bar at the top edge has the toolbar'}
            </p>
          )}
        </div>
        {view.statsShown && connected && <StatsOverlay tab={tab} view={view} />}
        {neverConnected && <ConnectionFailed tab={tab} controller={controller} />}
      </div>
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
      {tab.status?.phase === 'certificate' && (
        <CertificateDialog
          certificate={tab.status.certificate}
          onTrust={() => controller.answerCertificate(true)}
          onCancel={() => controller.answerCertificate(false)}
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
      {infoOpen && (
        <ConnectionInfoDialog
          info={view.connectionInfo}
          onRefresh={() => controller.requestConnectionInfo()}
          onClose={() => setInfoOpen(false)}
        />
      )}
      {tab.menuOpen && (
        <SessionMenu
          label="Session menu"
          groups={menuGroups}
          combos={canType}
          anchor={screenCorner()}
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

/** A notice fades after a few seconds; an error notice stays until dismissed. */
function useNoticeFading(tab: Tab, stays: boolean): void {
  useEffect(() => {
    if (!tab.notice || stays) return;
    const timer = setTimeout(() => useApp.getState().updateTab(tab.id, { notice: '' }), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [tab.id, tab.notice, stays]);
}

/** A first connection that failed or was cancelled: what happened, and what can be done next. */
function ConnectionFailed({ tab, controller }: { tab: Tab; controller: SessionController }) {
  const error = tab.status?.phase === 'closed' ? tab.status.error : undefined;
  const editAddress = () => {
    endSession(tab.id);
    useApp.getState().updateTab(tab.id, { kind: 'connect', status: undefined, notice: '' });
  };
  const close = () => {
    endSession(tab.id);
    useApp.getState().closeTab(tab.id);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a named group of the actions after a failed connection.
    <div className="connection-failed" role="group" aria-label="Not connected">
      <h2>{error ? `Could not connect to ${tab.target}` : `Not connected to ${tab.target}`}</h2>
      <p>{statusText(tab)}</p>
      <div className="row">
        <button type="button" onClick={editAddress}>
          Edit address
        </button>
        <button type="button" onClick={() => controller.reconnect()}>
          Try again
        </button>
        <button type="button" onClick={close}>
          Close tab
        </button>
      </div>
    </div>
  );
}

function ClipboardPanel({ tab, controller }: { tab: Tab; controller: SessionController }) {
  const [text, setText] = useState(tab.remoteClipboard);
  const id = useId();
  useEffect(() => setText(tab.remoteClipboard), [tab.remoteClipboard]);
  const sendable = !tab.viewOnly && tab.status?.phase === 'connected';
  return (
    <div className="clipboard">
      <label htmlFor={id}>Clipboard text</label>
      <textarea id={id} value={text} rows={3} onChange={(e) => setText(e.target.value)} />
      <button
        type="button"
        disabled={!sendable}
        title={tab.viewOnly ? 'View only: the clipboard is not sent' : undefined}
        onClick={() => controller.sendClipboard(text)}
      >
        Send clipboard
      </button>
    </div>
  );
}

const POWER_WARNINGS: Record<PowerAction, string> = {
  shutdown: 'The machine is asked to shut down (as if its power button were pressed).',
  reboot: 'The machine is asked to restart.',
  reset: 'The machine restarts at once, without shutting down: unsaved work in it is lost.',
};

/** Asks before a power action: none of them can be undone. */
function PowerConfirm(props: { action: PowerAction; name: string; onConfirm(): void; onCancel(): void }) {
  const text = useId();
  const label = POWER_LABELS[props.action];
  return (
    <Dialog title={`${label} ${props.name}?`} role="alertdialog" describedBy={text} onClose={props.onCancel}>
      <p id={text}>{POWER_WARNINGS[props.action]}</p>
      <div className="buttons">
        <button type="button" data-autofocus onClick={props.onConfirm}>
          {label}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
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
