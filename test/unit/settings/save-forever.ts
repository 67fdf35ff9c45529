/**
 * Child process of the crash test: saves one bookmark over and over with its `notes` set to
 * `save N`, printing N once each save has resolved, until it is killed.
 * Usage: node --import tsx save-forever.ts DATA_DIR BOOKMARK_ID
 */
import { PasswordVault, unavailableCipher } from '../../../main/app/password-vault.ts';
import { SettingsStore } from '../../../main/app/settings-store.ts';
import { crashTestFields } from './crash-fields.ts';

const [dataDir, id] = process.argv.slice(2);
const store = new SettingsStore(dataDir, new PasswordVault(dataDir, unavailableCipher('test')));
for (let n = 1; ; n++) {
  await store.saveBookmark(id, crashTestFields(n), { action: 'keep' });
  process.stdout.write(`${n}\n`);
}
