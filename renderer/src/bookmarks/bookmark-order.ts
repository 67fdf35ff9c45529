import type { Bookmark } from '../../../shared/settings.ts';

export type BookmarkSort = 'name' | 'last-used';

/** One heading of the bookmarks list and the bookmarks under it, in display order. */
export interface BookmarkSection {
  title: string;
  bookmarks: Bookmark[];
}

export const FAVOURITES = 'Favourites';
export const UNGROUPED = 'Other bookmarks';

/** Whether every word of the query appears in the name, address, group, tags or notes. */
export function matchesSearch(bookmark: Bookmark, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [bookmark.name, bookmark.address, bookmark.group, bookmark.notes, ...bookmark.tags]
    .join('\n')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

function compare(sort: BookmarkSort): (a: Bookmark, b: Bookmark) => number {
  const byName = (a: Bookmark, b: Bookmark) =>
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }) ||
    a.address.localeCompare(b.address);
  if (sort === 'name') return byName;
  // Most recently used first; never used last, by name.
  return (a, b) => (b.lastConnected ?? '').localeCompare(a.lastConnected ?? '') || byName(a, b);
}

/**
 * The bookmarks matching the query, favourites first, then one section per group (by group
 * name, bookmarks without a group last), each sorted as asked.
 */
export function bookmarkSections(
  bookmarks: Bookmark[],
  query: string,
  sort: BookmarkSort,
): BookmarkSection[] {
  const order = compare(sort);
  const found = bookmarks.filter((b) => matchesSearch(b, query));
  const sections: BookmarkSection[] = [];
  const favourites = found.filter((b) => b.favourite).sort(order);
  if (favourites.length > 0) sections.push({ title: FAVOURITES, bookmarks: favourites });
  const groups = new Map<string, Bookmark[]>();
  for (const bookmark of found) {
    if (bookmark.favourite) continue;
    const group = bookmark.group.trim();
    groups.set(group, [...(groups.get(group) ?? []), bookmark]);
  }
  const names = [...groups.keys()].filter((g) => g !== '').sort((a, b) => a.localeCompare(b));
  for (const name of names) sections.push({ title: name, bookmarks: groups.get(name)!.sort(order) });
  const ungrouped = groups.get('');
  if (ungrouped) sections.push({ title: UNGROUPED, bookmarks: ungrouped.sort(order) });
  return sections;
}

/** "Never", or the time of the last connection in the viewer's locale. */
export function lastConnectedText(bookmark: Bookmark): string {
  return bookmark.lastConnected ? new Date(bookmark.lastConnected).toLocaleString() : 'Never';
}
