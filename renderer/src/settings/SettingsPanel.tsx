import { type FormEvent, useState } from 'react';
import type { GlobalSettings } from '../../../shared/settings.ts';
import { forgetThumbnails } from '../bookmarks/thumbnails.ts';
import { ColourLevelChoice, QualityChoice, ScalingChoice } from '../components/Choice.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { useSettings } from '../state/settings.ts';
import { PinnedCertificates } from './PinnedCertificates.tsx';

const MENU_KEYS = ['F8', 'F9', 'F10', 'F11', 'F12', ''];

function wholeNumber(text: string, min: number, max: number): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A whole-number text field with its problem, if any, beside it. */
function NumberField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  problem?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        type="text"
        inputMode="numeric"
        size={6}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.problem ? true : undefined}
      />
      {props.problem && <span className="error inline">{props.problem}</span>}
    </label>
  );
}

/** The global settings; saved by the main side and applied to sessions opened afterwards. */
export function SettingsPanel(props: { onClose(): void }) {
  const saved = useSettings((s) => s.settings);
  const [draft, setDraft] = useState<GlobalSettings>(saved);
  // What the draft was made on: a save elsewhere meanwhile is merged with it, or refuses it.
  const [base] = useState<GlobalSettings>(saved);
  const [maxAttempts, setMaxAttempts] = useState(String(saved.reconnect.maxAttempts));
  const [stallSeconds, setStallSeconds] = useState(String(saved.reconnect.stallSeconds));
  const [listenPort, setListenPort] = useState(String(saved.listen.port));
  const [problems, setProblems] = useState<{
    maxAttempts?: string;
    stallSeconds?: string;
    listenPort?: string;
  }>({});
  const [saveError, setSaveError] = useState('');
  const set = (patch: Partial<GlobalSettings>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const attempts = wholeNumber(maxAttempts, 0, 1000);
    const stall = wholeNumber(stallSeconds, 0, 3600);
    const port = wholeNumber(listenPort, 1, 65535);
    const found = {
      ...(attempts === undefined ? { maxAttempts: 'A whole number from 0 (never give up) to 1000.' } : {}),
      ...(stall === undefined ? { stallSeconds: 'A whole number of seconds from 0 (never) to 3600.' } : {}),
      ...(port === undefined ? { listenPort: 'A port number from 1 to 65535.' } : {}),
    };
    setProblems(found);
    if (attempts === undefined || stall === undefined || port === undefined) return;
    setSaveError('');
    try {
      await useSettings.getState().updateSettings(
        {
          ...draft,
          reconnect: { ...draft.reconnect, maxAttempts: attempts, stallSeconds: stall },
          listen: { port },
        },
        base,
      );
      if (!draft.thumbnails) forgetThumbnails();
      props.onClose();
    } catch (error) {
      setSaveError(`The settings were not saved: ${(error as Error).message}`);
    }
  };

  return (
    <Dialog title="Settings" onClose={props.onClose} wide>
      <form onSubmit={submit} noValidate>
        <p className="muted">These apply to connections opened from now on; bookmarks keep their own.</p>
        <fieldset>
          <legend>New connections</legend>
          <QualityChoice
            label="Default picture quality"
            value={draft.defaultQuality}
            onChange={(defaultQuality) => set({ defaultQuality })}
          />
          <ColourLevelChoice
            label="Default colour level"
            value={draft.defaultColourLevel}
            onChange={(defaultColourLevel) => set({ defaultColourLevel })}
          />
          <ScalingChoice
            label="Default scaling"
            value={draft.scaling}
            onChange={(scaling) => set({ scaling })}
          />
        </fieldset>
        <fieldset>
          <legend>Keyboard</legend>
          <label>
            Menu key
            <select value={draft.menuKey} onChange={(e) => set({ menuKey: e.target.value })}>
              {MENU_KEYS.map((k) => (
                <option key={k} value={k}>
                  {k || 'None'}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.keyboard.scancodes}
              onChange={(e) => set({ keyboard: { ...draft.keyboard, scancodes: e.target.checked } })}
            />
            Send scancodes to servers that take them (QEMU)
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.keyboard.releaseOnBlur}
              onChange={(e) => set({ keyboard: { ...draft.keyboard, releaseOnBlur: e.target.checked } })}
            />
            Release held keys when the window loses focus
          </label>
        </fieldset>
        <fieldset>
          <legend>Reconnecting</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.reconnect.enabled}
              onChange={(e) => set({ reconnect: { ...draft.reconnect, enabled: e.target.checked } })}
            />
            Reconnect by itself after a dropped connection
          </label>
          <NumberField
            label="Give up after (attempts, 0: never)"
            value={maxAttempts}
            onChange={setMaxAttempts}
            problem={problems.maxAttempts}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={draft.reconnect.safeMode}
              onChange={(e) => set({ reconnect: { ...draft.reconnect, safeMode: e.target.checked } })}
            />
            Reconnect once in safe mode after a stream the viewer cannot read
          </label>
          <NumberField
            label="Check a silent server after (seconds, 0: never)"
            value={stallSeconds}
            onChange={setStallSeconds}
            problem={problems.stallSeconds}
          />
        </fieldset>
        <fieldset>
          <legend>Privacy</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.thumbnails}
              onChange={(e) => set({ thumbnails: e.target.checked })}
              aria-describedby="settings-thumbnails-hint"
            />
            Show a thumbnail of each bookmark's screen from its last session
          </label>
          <p id="settings-thumbnails-hint" className="muted hint">
            Kept as small pictures in Porthole's data folder. Turning this off deletes them.
          </p>
        </fieldset>
        <fieldset>
          <legend>Incoming connections</legend>
          <NumberField
            label="Listen port"
            value={listenPort}
            onChange={setListenPort}
            problem={problems.listenPort}
          />
        </fieldset>
        <PinnedCertificates />
        {saveError && (
          <p role="alert" className="error">
            {saveError}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit">Save settings</button>
        </div>
      </form>
    </Dialog>
  );
}
