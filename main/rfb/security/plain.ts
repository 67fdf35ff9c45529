import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { type Prompt, usernameAndPassword } from './username-password.ts';

/**
 * VeNCrypt Plain (256), also inside TLSPlain and X509Plain: U32 username length, U32 password
 * length, the username, the password (UTF-8), in the clear on its own (rfbproto "VeNCrypt").
 */
export class PlainSecurity implements SecurityHandler {
  readonly name = 'Plain';
  readonly checksCredentials = true;
  private readonly prompt: Prompt = { asked: false };

  step({ send, credentials }: SecurityContext): boolean {
    const given = usernameAndPassword(credentials, this.name, this.prompt);
    if (!given) return false;
    const { username, password } = given;
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
