/** RFB security type names (RFC 6143 §7.1.2 and the rfbproto registry), as shown to people. */
const SECURITY_TYPE_NAMES: Record<number, string> = {
  1: 'None',
  2: 'VNC Authentication',
  5: 'RA2',
  6: 'RA2ne',
  16: 'Tight',
  17: 'Ultra',
  18: 'TLS',
  19: 'VeNCrypt',
  20: 'SASL',
  21: 'MD5 hash',
  22: 'xvp',
  30: 'Apple Remote Desktop',
  113: 'MSLogonII',
  129: 'Unix Login',
};

/** "VNC Authentication (2)", or "type N" for a number without a registered name. */
export function securityTypeName(type: number): string {
  const name = SECURITY_TYPE_NAMES[type];
  return name ? `${name} (${type})` : `type ${type}`;
}
