import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createControlService, openSettingsStore } from '../../../main/app/control-service.ts';
import { ThumbnailStore } from '../../../main/app/thumbnail-store.ts';
import { MAX_THUMBNAIL_BYTES } from '../../../shared/ipc.ts';
import { newBookmarkFields } from '../../../shared/settings.ts';
import { aesTestCipher } from './test-cipher.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-thumbnails-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A real JPEG of a gradient, `width`×`height`, as a data URL. */
function jpegDataUrl(width = 64, height = 40): string {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i % width) * 4;
    data[i * 4 + 1] = Math.floor(i / width) * 6;
    data[i * 4 + 2] = 128;
    data[i * 4 + 3] = 255;
  }
  return `data:image/jpeg;base64,${jpeg.encode({ data, width, height }, 80).data.toString('base64')}`;
}

function pngDataUrl(): string {
  const png = encodePng({ width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(200), channels: 3 });
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

const thumbnailFiles = () =>
  existsSync(join(dir, 'thumbnails')) ? readdirSync(join(dir, 'thumbnails')) : [];

describe('ThumbnailStore (files in a real temporary directory)', () => {
  it('keeps one file per bookmark, serves it back byte for byte, replaces it by type', async () => {
    const store = new ThumbnailStore(dir);
    expect(await store.get('a')).toBeNull();
    const picture = jpegDataUrl();
    await store.put('a', picture);
    expect(await store.get('a')).toBe(picture);
    // The file is the JPEG itself, named by the id's bytes in hex.
    const file = join(dir, 'thumbnails', `${Buffer.from('a').toString('hex')}.jpg`);
    expect(readFileSync(file).toString('base64')).toBe(picture.split(',')[1]);

    const png = pngDataUrl();
    await store.put('a', png);
    expect(await store.get('a')).toBe(png);
    expect(thumbnailFiles()).toEqual([`${Buffer.from('a').toString('hex')}.png`]);
  });

  it('any id makes a safe file name inside the directory', async () => {
    const store = new ThumbnailStore(dir);
    for (const id of ['../../escape', '/etc/passwd', 'C:\\x', 'ünïcödé ✓', '.']) {
      await store.put(id, jpegDataUrl());
      expect(await store.get(id)).toBe(jpegDataUrl());
    }
    expect(readdirSync(dir)).toEqual(['thumbnails']);
    expect(thumbnailFiles()).toHaveLength(5);
  });

  it('refuses what is not a small JPEG or PNG, saying why, and keeps nothing', async () => {
    const store = new ThumbnailStore(dir);
    await expect(store.put('a', 'data:image/gif;base64,R0lGODlh')).rejects.toThrow(/JPEG or PNG/);
    await expect(store.put('a', 'https://example.com/x.jpg')).rejects.toThrow(/data URL/);
    await expect(
      store.put('a', `data:image/jpeg;base64,${Buffer.from('not a jpeg').toString('base64')}`),
    ).rejects.toThrow('not a image/jpeg image');
    const big = Buffer.alloc(MAX_THUMBNAIL_BYTES + 1, 0);
    big.set([0xff, 0xd8, 0xff]);
    await expect(store.put('a', `data:image/jpeg;base64,${big.toString('base64')}`)).rejects.toThrow(
      `at most ${MAX_THUMBNAIL_BYTES / 1024} KiB`,
    );
    expect(thumbnailFiles()).toEqual([]);
  });

  it('removes a thumbnail with its bookmark, restores it on undo, clears all, prunes strangers', async () => {
    const store = new ThumbnailStore(dir);
    await store.put('a', jpegDataUrl());
    await store.put('b', pngDataUrl());
    await store.remove('a');
    expect(await store.get('a')).toBeNull();
    expect(thumbnailFiles()).toEqual([`${Buffer.from('b').toString('hex')}.png`]);
    await store.restore('a');
    expect(await store.get('a')).toBe(jpegDataUrl());

    // A stray temporary file and a thumbnail no bookmark owns go; the others stay.
    writeFileSync(join(dir, 'thumbnails', '.61.jpg.123.abc.tmp'), 'half');
    await store.prune(['a']);
    expect(thumbnailFiles()).toEqual([`${Buffer.from('a').toString('hex')}.jpg`]);

    await store.remove('a');
    await store.clear();
    await store.restore('a');
    expect(thumbnailFiles()).toEqual([]);
  });
});

describe('control service: thumbnails', () => {
  function service() {
    return createControlService(dir, { settings: openSettingsStore(dir, aesTestCipher()) });
  }
  const addBookmark = (control: ReturnType<typeof service>) =>
    control['bookmarks:save']({ fields: newBookmarkFields('Lab', 'lab:1'), password: { action: 'keep' } });

  it('keeps a bookmark’s thumbnail, deletes it with the bookmark, and brings it back with Undo', async () => {
    const control = service();
    const bookmark = await addBookmark(control);
    expect(await control['thumbnails:save']({ id: bookmark.id, image: jpegDataUrl() })).toBe(true);
    expect(await control['thumbnails:get']({ id: bookmark.id })).toBe(jpegDataUrl());
    // No bookmark, no thumbnail.
    expect(await control['thumbnails:save']({ id: 'nobody', image: jpegDataUrl() })).toBe(false);
    expect(thumbnailFiles()).toHaveLength(1);

    await control['bookmarks:delete']({ id: bookmark.id });
    expect(thumbnailFiles()).toEqual([]);
    expect(await control['thumbnails:get']({ id: bookmark.id })).toBeNull();
    await control['bookmarks:undo-delete']({ id: bookmark.id });
    expect(await control['thumbnails:get']({ id: bookmark.id })).toBe(jpegDataUrl());

    await expect(control['thumbnails:save']({ id: bookmark.id, image: 42 } as never)).rejects.toThrow(
      '"image" must be a string',
    );
  });

  it('thumbnails off: the kept ones are deleted and none is taken until they are on again', async () => {
    const control = service();
    const bookmark = await addBookmark(control);
    await control['thumbnails:save']({ id: bookmark.id, image: jpegDataUrl() });
    expect((await control['settings:update']({ settings: { thumbnails: false } })).thumbnails).toBe(false);
    expect(thumbnailFiles()).toEqual([]);
    expect(await control['thumbnails:save']({ id: bookmark.id, image: jpegDataUrl() })).toBe(false);
    expect(thumbnailFiles()).toEqual([]);
    await control['settings:update']({ settings: { thumbnails: true } });
    expect(await control['thumbnails:save']({ id: bookmark.id, image: jpegDataUrl() })).toBe(true);
  });

  it('at start, a thumbnail whose bookmark is gone (a crash in between) is deleted', async () => {
    const control = service();
    const bookmark = await addBookmark(control);
    await control['thumbnails:save']({ id: bookmark.id, image: jpegDataUrl() });
    mkdirSync(join(dir, 'thumbnails'), { recursive: true });
    writeFileSync(join(dir, 'thumbnails', `${Buffer.from('gone').toString('hex')}.jpg`), 'x');
    await service()['settings:load']({});
    expect(thumbnailFiles()).toEqual([`${Buffer.from(bookmark.id).toString('hex')}.jpg`]);
  });
});
