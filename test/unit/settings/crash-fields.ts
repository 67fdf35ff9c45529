import { type BookmarkFields, newBookmarkFields } from '../../../shared/settings.ts';

/** The bookmark fields of save number `n` in the crash test; sizes vary so files differ in length. */
export function crashTestFields(n: number): BookmarkFields {
  return newBookmarkFields(`Crash test ${n}`, 'localhost:1', {
    viewOnly: n % 2 === 0,
    notes: `save ${n} ${'x'.repeat((n * 37) % 3000)}`,
    tags: Array.from({ length: n % 5 }, (_, i) => `tag${i}`),
  });
}
