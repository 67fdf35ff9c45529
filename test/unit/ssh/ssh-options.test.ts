import { describe, expect, it } from 'vitest';
import { bookmarkTunnel, parseSshEndpoint, sshTunnelOptions } from '../../../main/cli/ssh-options.ts';

describe('--via [user@]host[:port]', () => {
  it('reads user, host and port; the local user and port 22 by default; IPv6 in brackets', () => {
    expect(parseSshEndpoint('alice@kvm1:2222', '--via', 'me')).toEqual({
      user: 'alice',
      host: 'kvm1',
      port: 2222,
    });
    expect(parseSshEndpoint('kvm1', '--via', 'me')).toEqual({ user: 'me', host: 'kvm1', port: 22 });
    expect(parseSshEndpoint('bob@[::1]:22', '--via', 'me')).toEqual({ user: 'bob', host: '::1', port: 22 });
  });

  it('refuses what is not a destination', () => {
    for (const bad of ['', 'a@', 'host:0', 'host:70000', 'host:port', 'a b', '::1:22']) {
      expect(() => parseSshEndpoint(bad, '--via', 'me'), bad).toThrow(/--via takes \[user@\]host\[:port\]/);
    }
  });

  it('SSH options without --via are a usage error; connect takes --via and --ssh-key only', () => {
    expect(() => sshTunnelOptions({ 'ssh-key': 'k' }, {})).toThrow('--ssh-key needs --via');
    expect(sshTunnelOptions({}, {})).toBeUndefined();
    const tunnel = sshTunnelOptions({ via: 'a@h:2', 'data-dir': '/tmp/x' }, { SSH_AUTH_SOCK: '/s' });
    expect(tunnel?.endpoint).toEqual({ user: 'a', host: 'h', port: 2 });
    expect(tunnel?.credentials.agent).toBe('/s');
    expect(bookmarkTunnel({ via: 'a@h', 'ssh-key': '/k' })).toEqual({
      enabled: true,
      host: 'h',
      port: 22,
      user: 'a',
      identityFile: '/k',
    });
    expect(() => bookmarkTunnel({ via: 'a@h', 'accept-new': true })).toThrow(/not --accept-new/);
  });
});
