import { useState } from 'react';
import type { PowerAction, RemoteLeds } from '../../../shared/session-protocol.ts';
import { saveSessionAsBookmark } from '../bookmarks/BookmarkEditor.tsx';
import type { SessionController } from '../session/controller.ts';
import { useTabExtensions } from '../session/extensions-state.ts';
import { STICKY_MODIFIERS, type StickyModifier, useTabView } from '../session/view-state.ts';
import { type Tab, useApp } from '../state/store.ts';
import { ColourLevelChoice, QualityChoice, ScalingChoice } from './Choice.tsx';
import { Icon, type IconName } from './Icon.tsx';
import { pictureInEffectText } from './picture-in-effect.ts';
import { type MenuAnchor, type MenuGroup, SessionMenu } from './SessionMenu.tsx';

export const POWER_ACTIONS: readonly PowerAction[] = ['shutdown', 'reboot', 'reset'];
export const POWER_LABELS: Record<PowerAction, string> = {
  shutdown: 'Shut down',
  reboot: 'Reboot',
  reset: 'Reset',
};

/** Ctrl, Alt and Super to hold down (sticky keys), for the Send keys menu and the F8 menu. */
export function heldKeysGroup(
  controller: SessionController,
  held: Record<StickyModifier, boolean>,
  disabled: boolean,
): MenuGroup {
  return {
    label: 'Hold keys down',
    actions: STICKY_MODIFIERS.map((modifier) => ({
      label: modifier,
      kind: 'check',
      checked: held[modifier],
      disabled,
      run: () => {
        controller.setSticky(modifier, !held[modifier]);
        controller.focus();
      },
    })),
  };
}

/** An icon button with its name as tooltip (and the F8 menu's shortcut letter, if any). */
function ToolButton(props: {
  icon: IconName;
  label: string;
  /** Why it is disabled, or what it does beyond its name. */
  title?: string;
  shortcut?: string;
  pressed?: boolean;
  expanded?: boolean;
  menu?: boolean;
  disabled?: boolean;
  onClick(event: React.MouseEvent<HTMLButtonElement>): void;
}) {
  const tip = [props.title ?? props.label, props.shortcut && `(F8, then ${props.shortcut})`]
    .filter(Boolean)
    .join(' ');
  return (
    <button
      type="button"
      className="tool"
      aria-label={props.label}
      title={tip}
      aria-pressed={props.pressed}
      aria-expanded={props.expanded}
      aria-haspopup={props.menu ? 'menu' : undefined}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon name={props.icon} />
    </button>
  );
}

/** Below the button that opened it. */
function below(event: React.MouseEvent<HTMLElement>): MenuAnchor {
  const box = event.currentTarget.getBoundingClientRect();
  return { x: box.left, y: box.bottom + 2 };
}

/** The session's toolbar: one row of icon buttons and the picture choices. */
export function SessionToolbar(props: {
  tab: Tab;
  controller: SessionController;
  toolbar: React.RefObject<HTMLDivElement | null>;
  fullScreen: boolean;
  onFullScreen(): void;
  onScreenshot(): void;
  onConnectionInfo(): void;
  statsShown: boolean;
  onStats(): void;
  powerOffered: boolean;
  onPower(action: PowerAction): void;
  resizeOffered: boolean;
}) {
  const { tab, controller } = props;
  const [keysMenu, setKeysMenu] = useState<MenuAnchor | undefined>();
  const [powerMenu, setPowerMenu] = useState<MenuAnchor | undefined>();
  const extensions = useTabExtensions(tab.id);
  const view = useTabView(tab.id);
  const update = (patch: Partial<Tab>) => useApp.getState().updateTab(tab.id, patch);
  const phase = tab.status?.phase;
  const connected = phase === 'connected';
  const ended = phase === 'closed';
  const reconnecting = phase === 'reconnecting';
  const canType = connected && !tab.viewOnly;
  const inEffect = pictureInEffectText(tab, view.inEffect);
  const held = STICKY_MODIFIERS.filter((m) => view.sticky[m]);
  const notConnected = 'Not connected';
  return (
    <div role="toolbar" aria-label="Session controls" className="toolbar compact" ref={props.toolbar}>
      <ToolButton
        icon="keys"
        label="Send keys"
        title={tab.viewOnly ? 'View only: keys are not sent' : connected ? 'Send keys' : notConnected}
        menu
        expanded={keysMenu !== undefined}
        disabled={!canType}
        onClick={(e) => setKeysMenu(below(e))}
      />
      {keysMenu && (
        <SessionMenu
          label="Send keys"
          anchor={keysMenu}
          groups={[heldKeysGroup(controller, view.sticky, false)]}
          onCombo={(combo) => controller.sendCombo(combo)}
          onClose={() => {
            setKeysMenu(undefined);
            controller.focus();
          }}
        />
      )}
      {held.length > 0 && (
        <button
          type="button"
          className="held-keys"
          title="Held down on the remote keyboard: click to release"
          // Keep the focus on the remote screen (its blur would release the keys first).
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => {
            for (const modifier of held) controller.setSticky(modifier, false);
          }}
        >
          {held.join('+')} held
        </button>
      )}
      <ToolButton
        icon="eye"
        label="View only"
        title="View only: send no keys, pointer or clipboard"
        shortcut="V"
        pressed={tab.viewOnly}
        onClick={() => controller.setViewOnly(!tab.viewOnly)}
      />
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
      {inEffect && connected && (
        <span className="in-effect" role="note" aria-label="Picture in effect" title={view.auto ?? inEffect}>
          {inEffect}
        </span>
      )}
      <ToolButton
        icon="fullScreen"
        label={props.fullScreen ? 'Leave full screen' : 'Full screen'}
        shortcut="F"
        pressed={props.fullScreen}
        onClick={props.onFullScreen}
      />
      <ToolButton
        icon="camera"
        label="Screenshot"
        title={view.hasPicture ? 'Screenshot: save the remote screen as PNG' : 'Screenshot: no picture yet'}
        shortcut="S"
        disabled={!view.hasPicture}
        onClick={props.onScreenshot}
      />
      <ToolButton
        icon="clipboard"
        label="Clipboard"
        shortcut="C"
        expanded={tab.clipboardOpen}
        onClick={() => update({ clipboardOpen: !tab.clipboardOpen })}
      />
      <ToolButton
        icon="refresh"
        label="Refresh"
        title={connected ? 'Refresh: ask for the whole screen again' : notConnected}
        shortcut="R"
        disabled={!connected}
        onClick={() => controller.refresh()}
      />
      <ToolButton
        icon="info"
        label="Connection info"
        title={connected ? 'Connection info' : notConnected}
        shortcut="I"
        disabled={!connected}
        onClick={props.onConnectionInfo}
      />
      <ToolButton
        icon="stats"
        label="Statistics"
        title={connected ? 'Statistics: frame rate, bandwidth, encodings, timings' : notConnected}
        shortcut="A"
        pressed={props.statsShown}
        disabled={!connected}
        onClick={props.onStats}
      />
      {props.powerOffered && (
        <ToolButton
          icon="power"
          label="Power"
          menu
          expanded={powerMenu !== undefined}
          onClick={(e) => setPowerMenu(below(e))}
        />
      )}
      {powerMenu && (
        <SessionMenu
          label="Power"
          combos={false}
          anchor={powerMenu}
          actions={POWER_ACTIONS.map((action) => ({
            label: `${POWER_LABELS[action]}…`,
            run: () => props.onPower(action),
          }))}
          onCombo={() => undefined}
          onClose={() => setPowerMenu(undefined)}
        />
      )}
      {extensions.audio && (
        <ToolButton
          icon="audio"
          label="Play remote audio"
          pressed={extensions.playAudio}
          onClick={() => controller.setPlayAudio(!extensions.playAudio)}
        />
      )}
      {props.resizeOffered && (
        <>
          <ToolButton
            icon="resize"
            label="Resize remote to fit"
            onClick={() => controller.resizeRemoteToWindow()}
          />
          <ToolButton
            icon="resizeAlways"
            label="Keep remote resized to fit"
            title="Keep remote resized to fit: follow the window's size"
            pressed={extensions.autoResize}
            onClick={() => controller.setAutoResize(!extensions.autoResize)}
          />
        </>
      )}
      {extensions.leds && <LockLights leds={extensions.leds} />}
      {extensions.continuousUpdates && (
        <span
          className="stream-mode"
          role="img"
          aria-label="Continuous updates"
          title="Continuous updates: the server sends changes as they happen"
        >
          <Icon name="stream" />
        </span>
      )}
      <ToolButton icon="bookmark" label="Save as bookmark" onClick={() => saveSessionAsBookmark(tab)} />
      {tab.status?.phase === 'closed' && tab.status.safeModeOffered && (
        <button type="button" onClick={() => controller.reconnect(true)}>
          Reconnect in safe mode
        </button>
      )}
      {ended || reconnecting ? (
        <ToolButton
          icon="reconnect"
          label={reconnecting ? 'Reconnect now' : 'Reconnect'}
          onClick={() => controller.reconnect()}
        />
      ) : null}
      {!ended && (
        <ToolButton
          icon="disconnect"
          label="Disconnect"
          shortcut="D"
          onClick={() => controller.disconnect()}
        />
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
