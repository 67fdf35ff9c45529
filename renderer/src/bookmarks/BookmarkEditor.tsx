/*
 * Over 400 lines on purpose: one form for every field a bookmark has (address, picture,
 * security, certificates, SSH tunnel, VM), checked against the one settings schema as the user
 * types; splitting it per fieldset would pass the same draft and errors through every part.
 */
import { type FormEvent, useId, useState } from 'react';
import * as v from 'valibot';
import { formatSecurityTypeList, parseSecurityTypeList } from '../../../shared/security-types.ts';
import {
  type Bookmark,
  type BookmarkFields,
  BookmarkSchema,
  type PasswordChange,
} from '../../../shared/settings.ts';
import { checkAddress } from '../../../shared/target.ts';
import { ColourLevelChoice, QualityChoice, ScalingChoice } from '../components/Choice.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { platform } from '../platform/index.ts';
import { openEditor } from '../state/dialogs.ts';
import { useSettings } from '../state/settings.ts';
import type { Tab } from '../state/store.ts';

/** What the editor opens on: an existing bookmark, or the fields of a new one. */
export interface EditorSeed {
  /** Absent for a new bookmark. */
  id?: string;
  fields: BookmarkFields;
  hasPassword: boolean;
}

const FieldsSchema = v.omit(BookmarkSchema, ['id', 'hasPassword', 'createdAt', 'lastConnected']);

/** The fields of a new bookmark for an address, with the global defaults. */
export function newBookmarkFields(address = '', patch: Partial<BookmarkFields> = {}): BookmarkFields {
  const { settings } = useSettings.getState();
  // The schema fills in every default; name and address are then the ones given (maybe empty).
  const defaults = v.parse(FieldsSchema, { name: '-', address: '-' });
  return {
    ...defaults,
    name: address,
    address,
    quality: settings.defaultQuality,
    colourLevel: settings.defaultColourLevel,
    scaling: settings.scaling,
    safeModeReconnect: settings.reconnect.safeMode,
    ...patch,
  };
}

export function seedOf(bookmark: Bookmark): EditorSeed {
  const { id, hasPassword, createdAt: _c, lastConnected: _l, ...fields } = bookmark;
  return { id, fields, hasPassword };
}

type PasswordAction = PasswordChange['action'];

/** Every problem with the fields, by field name, in words. */
function validate(fields: BookmarkFields, securityTypes: string, sshPort: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!fields.name.trim()) problems.name = 'Give the bookmark a name.';
  try {
    checkAddress(fields.address);
  } catch (error) {
    problems.address = (error as Error).message;
  }
  if (!/^[\w\s,-]*$/.test(fields.encodings))
    problems.encodings = 'Encoding names separated by commas, e.g. "zrle, hextile, raw".';
  if (securityTypes.trim() && !parseSecurityTypeList(securityTypes))
    problems.securityTypes =
      'Security type names or numbers separated by commas, e.g. "x509vnc, tlsvnc, vnc".';
  const port = Number(sshPort);
  if (fields.ssh.enabled && (!Number.isInteger(port) || port < 1 || port > 65535))
    problems.sshPort = 'A port number from 1 to 65535.';
  if (fields.ssh.enabled && !fields.ssh.host.trim()) problems.sshHost = 'The SSH host to connect through.';
  const { clientCertFile, clientKeyFile } = fields.security;
  if (!clientCertFile.trim() !== !clientKeyFile.trim())
    problems[clientCertFile.trim() ? 'clientKeyFile' : 'clientCertFile'] =
      'A client certificate goes with its key: give both files, or neither.';
  const checked = v.safeParse(FieldsSchema, fields);
  if (!checked.success) {
    for (const issue of checked.issues) {
      const key = v.getDotPath(issue)?.split('.')[0] ?? 'form';
      problems[key] ??= issue.message;
    }
  }
  return problems;
}

/** The bookmark editor: every field of a bookmark, the password write-only. */
export function BookmarkEditor(props: {
  seed: EditorSeed;
  onClose(): void;
  onSaved?(bookmark: Bookmark): void;
}) {
  const passwordStorage = useSettings((s) => s.passwordStorage);
  const [fields, setFields] = useState<BookmarkFields>(props.seed.fields);
  const [tagsText, setTagsText] = useState(props.seed.fields.tags.join(', '));
  const [securityTypes, setSecurityTypes] = useState(
    formatSecurityTypeList(props.seed.fields.security.types),
  );
  const [sshPort, setSshPort] = useState(String(props.seed.fields.ssh.port));
  const [passwordAction, setPasswordAction] = useState<PasswordAction>('keep');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState('');
  const [saving, setSaving] = useState(false);
  const id = useId();
  const groups = [
    ...new Set(
      useSettings((s) => s.bookmarks)
        .map((b) => b.group)
        .filter(Boolean),
    ),
  ];
  const set = (patch: Partial<BookmarkFields>) => setFields((f) => ({ ...f, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const complete: BookmarkFields = {
      ...fields,
      name: fields.name.trim(),
      address: fields.address.trim(),
      tags: tagsText
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      security: { ...fields.security, types: parseSecurityTypeList(securityTypes) ?? [] },
      ssh: { ...fields.ssh, port: Number(sshPort) || 22 },
    };
    const found = validate(complete, securityTypes, sshPort);
    if (passwordStorage.available && props.seed.hasPassword && passwordAction === 'set' && password === '')
      found.password = 'Type the new password, or choose "Keep it".';
    setProblems(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(`${id}-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    let change: PasswordChange = { action: 'keep' };
    if (passwordStorage.available) {
      if (passwordAction === 'clear') change = { action: 'clear' };
      else if ((passwordAction === 'set' || !props.seed.hasPassword) && password !== '')
        change = { action: 'set', password };
    }
    setSaving(true);
    setSaveError('');
    try {
      // The fields the editor opened on: what changed elsewhere meanwhile is kept (or refuses the save).
      const params = props.seed.id
        ? { id: props.seed.id, fields: complete, password: change, base: props.seed.fields }
        : { fields: complete, password: change };
      const saved = await platform().invoke('bookmarks:save', params);
      useSettings.getState().putBookmark(saved);
      props.onSaved?.(saved);
      props.onClose();
    } catch (error) {
      setSaveError(`The bookmark was not saved: ${(error as Error).message}`);
      void useSettings.getState().reloadIfChanged();
    } finally {
      setSaving(false);
    }
  };

  const field = (name: string) => ({
    id: `${id}-${name}`,
    'aria-invalid': problems[name] ? true : undefined,
    'aria-describedby': problems[name] ? `${id}-${name}-problem` : undefined,
  });
  const problem = (name: string) =>
    problems[name] ? (
      <span id={`${id}-${name}-problem`} className="error inline">
        {problems[name]}
      </span>
    ) : null;

  const passwordDisabled = !passwordStorage.available;
  const showPasswordInput = !passwordDisabled && (!props.seed.hasPassword || passwordAction === 'set');

  return (
    <Dialog title={props.seed.id ? 'Edit bookmark' : 'New bookmark'} onClose={props.onClose} wide>
      <form className="editor" onSubmit={submit} noValidate>
        <div className="grid">
          <label htmlFor={`${id}-name`}>Name</label>
          <div>
            <input
              {...field('name')}
              type="text"
              value={fields.name}
              onChange={(e) => set({ name: e.target.value })}
              data-autofocus
            />
            {problem('name')}
          </div>
          <label htmlFor={`${id}-address`}>Address</label>
          <div>
            <input
              {...field('address')}
              type="text"
              value={fields.address}
              onChange={(e) => set({ address: e.target.value })}
              placeholder="host:display, host::port or vnc://host:port"
              spellCheck={false}
            />
            {problem('address')}
          </div>
          <label htmlFor={`${id}-username`}>User name</label>
          <div>
            <input
              {...field('username')}
              type="text"
              value={fields.username}
              onChange={(e) => set({ username: e.target.value })}
              autoComplete="off"
            />
            {problem('username')}
          </div>
        </div>

        <fieldset aria-describedby={`${id}-password-state`}>
          <legend>Password</legend>
          <p id={`${id}-password-state`} className="muted wide-row">
            {passwordDisabled
              ? `Passwords cannot be stored: ${passwordStorage.reason ?? 'no secure storage here'}. The viewer asks when the server wants one.`
              : props.seed.hasPassword
                ? 'A password is stored for this bookmark. It is never shown.'
                : 'No password stored. Type one to store it encrypted; leave empty to be asked.'}
          </p>
          {!passwordDisabled && props.seed.hasPassword && (
            <div role="radiogroup" aria-label="Stored password" className="row">
              {(
                [
                  ['keep', 'Keep it'],
                  ['set', 'Set a new one'],
                  ['clear', 'Clear it'],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="check">
                  <input
                    type="radio"
                    name={`${id}-password-action`}
                    checked={passwordAction === value}
                    onChange={() => setPasswordAction(value)}
                  />
                  {label}
                </label>
              ))}
            </div>
          )}
          {(showPasswordInput || passwordDisabled) && (
            <label>
              {props.seed.hasPassword ? 'New password' : 'Password'}
              <input
                type="password"
                value={password}
                disabled={passwordDisabled}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="new-password"
                {...field('password')}
              />
              {problem('password')}
              {!passwordDisabled && (
                <span className="muted">VNC Authentication uses only the first 8 characters.</span>
              )}
            </label>
          )}
        </fieldset>

        <fieldset>
          <legend>Connection</legend>
          <QualityChoice
            label="Picture quality"
            value={fields.quality}
            onChange={(quality) => set({ quality })}
          />
          <ColourLevelChoice
            label="Colour level"
            value={fields.colourLevel}
            onChange={(colourLevel) => set({ colourLevel })}
          />
          <ScalingChoice label="Scaling" value={fields.scaling} onChange={(scaling) => set({ scaling })} />
          <label>
            Encodings override
            <input
              {...field('encodings')}
              type="text"
              value={fields.encodings}
              onChange={(e) => set({ encodings: e.target.value })}
              placeholder="e.g. zrle, hextile, raw (empty: the quality's order)"
              spellCheck={false}
            />
            {problem('encodings')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={fields.shared}
              onChange={(e) => set({ shared: e.target.checked })}
            />
            Shared (leave other viewers connected)
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={fields.viewOnly}
              onChange={(e) => set({ viewOnly: e.target.checked })}
            />
            View only
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={fields.safeModeReconnect}
              onChange={(e) => set({ safeModeReconnect: e.target.checked })}
            />
            Reconnect in safe mode after a stream the viewer cannot read
          </label>
        </fieldset>

        <fieldset>
          <legend>Organise</legend>
          <label>
            Group
            <input
              {...field('group')}
              type="text"
              list={`${id}-groups`}
              value={fields.group}
              onChange={(e) => set({ group: e.target.value })}
            />
            <datalist id={`${id}-groups`}>
              {groups.map((g) => (
                <option key={g} value={g} />
              ))}
            </datalist>
            {problem('group')}
          </label>
          <label>
            Tags
            <input
              {...field('tags')}
              type="text"
              value={tagsText}
              onChange={(e) => setTagsText(e.target.value)}
              placeholder="separated by commas"
            />
            {problem('tags')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={fields.favourite}
              onChange={(e) => set({ favourite: e.target.checked })}
            />
            Favourite
          </label>
          <label className="wide-row">
            Notes
            <textarea
              {...field('notes')}
              rows={3}
              value={fields.notes}
              onChange={(e) => set({ notes: e.target.value })}
            />
            {problem('notes')}
          </label>
        </fieldset>

        <details>
          <summary>Advanced: SSH tunnel and security</summary>
          <fieldset>
            <legend>SSH tunnel</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={fields.ssh.enabled}
                onChange={(e) => set({ ssh: { ...fields.ssh, enabled: e.target.checked } })}
              />
              Connect through an SSH tunnel
            </label>
            <label>
              SSH host
              <input
                {...field('sshHost')}
                type="text"
                value={fields.ssh.host}
                onChange={(e) => set({ ssh: { ...fields.ssh, host: e.target.value } })}
              />
              {problem('sshHost')}
            </label>
            <label>
              SSH port
              <input
                {...field('sshPort')}
                type="text"
                inputMode="numeric"
                size={6}
                value={sshPort}
                onChange={(e) => setSshPort(e.target.value)}
              />
              {problem('sshPort')}
            </label>
            <label>
              SSH user
              <input
                type="text"
                placeholder="your own user name"
                value={fields.ssh.user}
                onChange={(e) => set({ ssh: { ...fields.ssh, user: e.target.value } })}
              />
            </label>
            <label>
              Identity file
              <input
                type="text"
                value={fields.ssh.identityFile}
                onChange={(e) => set({ ssh: { ...fields.ssh, identityFile: e.target.value } })}
              />
            </label>
          </fieldset>
          <fieldset>
            <legend>Security</legend>
            <label>
              Preferred security types
              <input
                {...field('securityTypes')}
                type="text"
                value={securityTypes}
                onChange={(e) => setSecurityTypes(e.target.value)}
                placeholder="e.g. x509vnc, tlsvnc, vnc (empty: the viewer's order)"
              />
              {problem('securityTypes')}
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={fields.security.requireEncryption}
                onChange={(e) =>
                  set({ security: { ...fields.security, requireEncryption: e.target.checked } })
                }
              />
              Refuse connections that are not encrypted
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={fields.security.allowPlainUnencrypted}
                onChange={(e) =>
                  set({ security: { ...fields.security, allowPlainUnencrypted: e.target.checked } })
                }
              />
              Allow sending the username and password unencrypted (Plain, Apple Remote Desktop, MSLogonII)
            </label>
            {fields.security.allowPlainUnencrypted && (
              <p role="note" className="hint error">
                Anyone who can see or relay this connection can read the username and password these types
                send. Use it only on a network you trust, or through an SSH tunnel.
              </p>
            )}
            {(
              [
                ['caFile', 'CA file', 'PEM: authorities trusted beside the system’s'],
                ['clientCertFile', 'Client certificate', 'PEM, for servers that verify their clients'],
                ['clientKeyFile', 'Client key', 'PEM, unencrypted'],
              ] as const
            ).map(([name, label, placeholder]) => (
              <label key={name}>
                {label}
                <input
                  {...field(name)}
                  type="text"
                  value={fields.security[name]}
                  placeholder={placeholder}
                  onChange={(e) => set({ security: { ...fields.security, [name]: e.target.value } })}
                />
                {problem(name)}
              </label>
            ))}
          </fieldset>
        </details>

        {problems.form && <p className="error">{problems.form}</p>}
        {saveError && (
          <p role="alert" className="error">
            {saveError}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={saving}>
            Save bookmark
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Opens the editor on a new bookmark for a live session: its address, quality and colour level. */
export function saveSessionAsBookmark(tab: Tab): void {
  openEditor({
    fields: newBookmarkFields(tab.target, {
      name: tab.desktopName || tab.target,
      quality: tab.quality,
      colourLevel: tab.colourLevel,
      viewOnly: tab.viewOnly,
      scaling: tab.scaling,
    }),
    hasPassword: false,
  });
}
