import { RfbError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { passwordOrAsk } from './vnc-auth.ts';

/**
 * VeNCrypt Plain (256), also inside TLSPlain and X509Plain: U32 username length, U32 password
 * length, the username, the password (UTF-8), in the clear on its own (rfbproto "VeNCrypt").
 */
export class PlainSecurity implements SecurityHandler {
  readonly name = 'Plain';
  readonly checksCredentials = true;
  private asked = false;

  step({ send, credentials }: SecurityContext): boolean {
    const username = credentials.username;
    if (!username) {
      throw new RfbError(
        'auth',
        'the server asks for a username and password (Plain) and no username was given',
        'Give one with --username NAME (or the bookmark’s username)',
      );
    }
    const password = passwordOrAsk(credentials, this.asked, `a password for the user ${username}`);
    if (password === undefined) {
      this.asked = true;
      return false;
    }
    const user = new TextEncoder().encode(username);
    const pass = new TextEncoder().encode(password);
    const message = new Uint8Array(8 + user.length + pass.length);
    const view = new DataView(message.buffer);
    view.setUint32(0, user.length);
    view.setUint32(4, pass.length);
    message.set(user, 8);
    message.set(pass, 8 + user.length);
    send(message);
    return true;
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return { type: this.name, encrypted: false, identity: 'unverified' };
  }
}
