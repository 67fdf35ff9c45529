import { type FormEvent, useId, useState } from 'react';
import type { ControlParams } from '../../../shared/ipc.ts';
import type { SshPrompt } from '../../../shared/session-protocol.ts';
import type { VmHost } from '../../../shared/settings.ts';
import { formatSshDestination, parseSshDestination } from '../../../shared/ssh-destination.ts';
import {
  DEFAULT_LIBVIRT_URI,
  describeDisplay,
  type VirtualMachine,
  VM_TARGET_PREFIX,
  type VmListing,
} from '../../../shared/vm-hosts.ts';
import { newBookmarkFields } from '../bookmarks/BookmarkEditor.tsx';
import { SshPromptDialog } from '../components/SshPromptDialog.tsx';
import { type ConnectChoices, defaultChoices, openInNewTab } from '../connect/open-session.ts';
import { platform } from '../platform/index.ts';
import { useSettings } from '../state/settings.ts';

type Answers = NonNullable<ControlParams<'vmhosts:list-vms'>['answers']>;

/** The form's text as a VM host: an SSH destination, or this machine when it is empty. */
function hostOf(destination: string, identityFile: string, uri: string): Omit<VmHost, 'id'> | string {
  const text = destination.trim();
  const uriText = uri.trim() || DEFAULT_LIBVIRT_URI;
  if (!text) {
    return {
      name: 'This machine',
      ssh: { enabled: false, host: '', port: 22, user: '', identityFile: '' },
      uri: uriText,
    };
  }
  const parsed = parseSshDestination(text);
  if (!parsed) return 'The SSH host is written [user@]host[:port], e.g. alice@kvm1 or kvm1:2222.';
  const ssh = {
    enabled: true,
    host: parsed.host,
    port: parsed.port,
    user: parsed.user ?? '',
    identityFile: identityFile.trim(),
  };
  return { name: formatSshDestination(ssh), ssh, uri: uriText };
}

/**
 * A VM host's VMs, as `porthole vms`: virsh asked over SSH (or on this machine) for the
 * domains, their state and console; one click opens a console through the tunnel, and *Save
 * as bookmark* keeps a VM by name (its port is looked up on every connect). The SSH login's
 * questions (host key, password) are asked here and sent back with the request.
 */
export function VmHostPanel() {
  const saved = useSettings((s) => s.vmHosts);
  const [destination, setDestination] = useState('');
  const [identityFile, setIdentityFile] = useState('');
  const [uri, setUri] = useState(DEFAULT_LIBVIRT_URI);
  const [listing, setListing] = useState<VmListing | undefined>(undefined);
  const [listed, setListed] = useState<Omit<VmHost, 'id'> | undefined>(undefined);
  const [answers, setAnswers] = useState<Answers>({});
  const [prompt, setPrompt] = useState<{ prompt: SshPrompt; host: Omit<VmHost, 'id'>; answers: Answers }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const ids = { heading: useId(), host: useId(), key: useId(), uri: useId(), error: useId() };

  const list = async (host: Omit<VmHost, 'id'>, given: Answers) => {
    setBusy(true);
    setError('');
    try {
      const result = await platform().invoke('vmhosts:list-vms', {
        host: { ssh: host.ssh, uri: host.uri },
        answers: given,
      });
      if (result.kind === 'question') return setPrompt({ prompt: result.prompt, host, answers: given });
      if (result.kind === 'error') return setError(result.message);
      setAnswers(given);
      setListed(host);
      setListing(result.listing);
    } catch (e) {
      setError(`Listing the VMs failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const host = hostOf(destination, identityFile, uri);
    if (typeof host === 'string') return setError(host);
    setListing(undefined);
    setNotice('');
    void list(host, {});
  };

  const answer = (value: boolean | string | null) => {
    const asked = prompt;
    setPrompt(undefined);
    if (!asked || value === null || value === false)
      return setError('Cancelled: the SSH login was not completed.');
    const given = { ...asked.answers };
    if (asked.prompt.kind === 'host-key') given.trustHostKey = asked.prompt.fingerprint;
    else if (typeof value === 'string') given[asked.prompt.kind] = value;
    void list(asked.host, given);
  };

  const pick = (host: VmHost) => {
    setDestination(host.ssh.enabled ? formatSshDestination(host.ssh) : '');
    setIdentityFile(host.ssh.identityFile);
    setUri(host.uri);
    setListing(undefined);
    void list(host, {});
  };

  /** Changes the saved settings, saying what went wrong if that fails. */
  const change = (what: string, run: () => Promise<void>) =>
    void run().catch((e: Error) => setError(`${what} failed: ${e.message}`));

  const saveHost = () => {
    const host = hostOf(destination, identityFile, uri);
    if (typeof host === 'string') return setError(host);
    const same = saved.find((h) => h.name === host.name && h.uri === host.uri);
    change('Saving the VM host', async () => {
      const fields = same ? { id: same.id, fields: host } : { fields: host };
      useSettings.getState().setVmHosts(await platform().invoke('vmhosts:save', fields));
      setNotice(`Saved the VM host ${host.name}.`);
    });
  };

  const forget = (host: VmHost) =>
    change('Forgetting the VM host', async () =>
      useSettings.getState().setVmHosts(await platform().invoke('vmhosts:delete', { id: host.id })),
    );

  /** How a console of the listed host is reached: its tunnel (with the password typed here) and URI. */
  const choicesFor = (host: Omit<VmHost, 'id'>): ConnectChoices => ({
    ...defaultChoices(),
    libvirtUri: host.uri,
    ...(host.ssh.enabled && {
      ssh: {
        host: host.ssh.host,
        port: host.ssh.port,
        user: host.ssh.user,
        ...(host.ssh.identityFile && { identityFile: host.ssh.identityFile }),
        ...(answers.password !== undefined && { password: answers.password }),
      },
    }),
  });

  const saveAsBookmark = (host: Omit<VmHost, 'id'>, vm: VirtualMachine) =>
    change('Saving the bookmark', async () => {
      const fields = newBookmarkFields(`${VM_TARGET_PREFIX}${vm.name}`, {
        name: vm.name,
        ssh: host.ssh,
        libvirtUri: host.uri,
      });
      const bookmark = await platform().invoke('bookmarks:save', { fields, password: { action: 'keep' } });
      useSettings.getState().putBookmark(bookmark);
      setNotice(`Saved ${vm.name} as a bookmark: it opens the VM by name, wherever its console is then.`);
    });

  return (
    <section aria-labelledby={ids.heading} className="scan">
      <h2 id={ids.heading}>VM hosts</h2>
      {saved.length > 0 && (
        <ul className="row wrap" aria-label="Saved VM hosts">
          {saved.map((host) => (
            <li key={host.id}>
              <button type="button" onClick={() => pick(host)} disabled={busy}>
                {host.name} ({host.uri})
              </button>
              <button
                type="button"
                aria-label={`Forget the VM host ${host.name}`}
                onClick={() => forget(host)}
              >
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} className="row wrap" aria-describedby={error ? ids.error : undefined}>
        <label htmlFor={ids.host}>SSH host</label>
        <input
          id={ids.host}
          type="text"
          placeholder="alice@kvm1 (empty: this machine)"
          value={destination}
          onChange={(e) => setDestination(e.target.value)}
          spellCheck={false}
        />
        <label htmlFor={ids.key}>SSH key file</label>
        <input
          id={ids.key}
          type="text"
          value={identityFile}
          onChange={(e) => setIdentityFile(e.target.value)}
          spellCheck={false}
        />
        <label htmlFor={ids.uri}>libvirt URI</label>
        <input
          id={ids.uri}
          type="text"
          value={uri}
          onChange={(e) => setUri(e.target.value)}
          spellCheck={false}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Asking libvirt…' : 'List VMs'}
        </button>
        <button type="button" onClick={saveHost} disabled={busy}>
          Save VM host
        </button>
      </form>
      {prompt && <SshPromptDialog target={prompt.host.name} prompt={prompt.prompt} onAnswer={answer} />}
      {error && (
        <p id={ids.error} role="alert" className="error">
          {error}
        </p>
      )}
      {notice && <p className="muted">{notice}</p>}
      {listing && listed && (
        <VmList listing={listing} host={listed} choices={choicesFor(listed)} onSave={saveAsBookmark} />
      )}
    </section>
  );
}

function VmList(props: {
  listing: VmListing;
  host: Omit<VmHost, 'id'>;
  choices: ConnectChoices;
  onSave(host: Omit<VmHost, 'id'>, vm: VirtualMachine): void;
}) {
  const { listing, host, choices } = props;
  if (!listing.vms) {
    return (
      <div role="alert" className="error">
        <p>
          {listing.problem?.message}. {listing.problem?.hint}
        </p>
        <p>Ports 5900–5999 as {listing.host} sees them:</p>
        <ul aria-label="Consoles found by a scan">
          {(listing.scanned ?? []).map((server) => (
            <li key={server.port}>
              {server.port} {server.name ?? ''}{' '}
              <button type="button" onClick={() => openInNewTab(`127.0.0.1::${server.port}`, choices)}>
                Open port {server.port}
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (listing.vms.length === 0)
    return (
      <p className="muted">
        No VMs at {listing.uri} on {listing.host}.
      </p>
    );
  return (
    <table className="servers" aria-label={`VMs on ${listing.host}`}>
      <thead>
        <tr>
          <th scope="col">VM</th>
          <th scope="col">State</th>
          <th scope="col">Console</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {listing.vms.map((vm) => (
          <tr key={vm.name}>
            <td>{vm.name}</td>
            <td>{vm.state}</td>
            <td>{describeDisplay(vm.display)}</td>
            <td>
              <button
                type="button"
                aria-label={`Open the console of ${vm.name}`}
                disabled={vm.display.kind !== 'vnc'}
                title={vm.display.kind === 'vnc' ? undefined : 'No VNC console to open now'}
                onClick={() => openInNewTab(`${VM_TARGET_PREFIX}${vm.name}`, choices)}
              >
                Open console
              </button>
              <button
                type="button"
                aria-label={`Save ${vm.name} as a bookmark`}
                onClick={() => props.onSave(host, vm)}
              >
                Save as bookmark
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
