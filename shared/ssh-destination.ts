/** An SSH destination as users write it: `[user@]host[:port]`, IPv6 in brackets. */
export interface SshDestination {
  /** Undefined when not given (ssh then uses the local user's name). */
  user?: string;
  host: string;
  port: number;
}

/** Reads `[user@]host[:port]` (port 22 unless given); undefined when it is not one. */
export function parseSshDestination(value: string): SshDestination | undefined {
  const match = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  const port = match?.[3] === undefined ? 22 : Number(match[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { ...(match[1] !== undefined && { user: match[1] }), host: match[2].replace(/^\[|\]$/g, ''), port };
}

/** `alice@kvm1:2222` back from its parts (the port only when not 22). */
export function formatSshDestination(destination: { user: string; host: string; port: number }): string {
  const host = destination.host.includes(':') ? `[${destination.host}]` : destination.host;
  return `${destination.user ? `${destination.user}@` : ''}${host}${destination.port === 22 ? '' : `:${destination.port}`}`;
}
