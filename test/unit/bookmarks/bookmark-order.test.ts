import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  bookmarkSections,
  FAVOURITES,
  matchesSearch,
  UNGROUPED,
} from '../../../renderer/src/bookmarks/bookmark-order.ts';
import { type Bookmark, BookmarkSchema } from '../../../shared/settings.ts';

const bookmark = (fields: Partial<Bookmark> & { name: string }): Bookmark =>
  v.parse(BookmarkSchema, {
    id: fields.name,
    address: 'localhost:1',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  });

const list = [
  bookmark({ name: 'web 10', group: 'Servers', lastConnected: '2026-03-01T10:00:00.000Z' }),
  bookmark({ name: 'web 9', group: 'Servers', tags: ['nginx'], lastConnected: '2026-03-02T10:00:00.000Z' }),
  bookmark({ name: 'Build box', group: 'Lab', notes: 'under the desk' }),
  bookmark({ name: 'alpha', favourite: true, group: 'Lab', address: '10.0.0.5::5901' }),
  bookmark({ name: 'Zeta' }),
];

const titles = (query = '', sort: 'name' | 'last-used' = 'name') =>
  bookmarkSections(list, query, sort).map((s) => `${s.title}: ${s.bookmarks.map((b) => b.name).join(', ')}`);

describe('bookmark search, sort and grouping', () => {
  it('puts favourites first, then groups by name, then the ungrouped; names sort naturally', () => {
    expect(titles()).toEqual([
      `${FAVOURITES}: alpha`,
      'Lab: Build box',
      'Servers: web 9, web 10',
      `${UNGROUPED}: Zeta`,
    ]);
  });

  it('sorts by last use, most recent first and never-used last', () => {
    expect(titles('', 'last-used')).toContain('Servers: web 9, web 10');
    const all = bookmarkSections([...list, bookmark({ name: 'aaa', group: 'Servers' })], '', 'last-used');
    expect(all.find((s) => s.title === 'Servers')?.bookmarks.map((b) => b.name)).toEqual([
      'web 9',
      'web 10',
      'aaa',
    ]);
  });

  it('matches every word of the query in name, address, group, tags or notes, ignoring case', () => {
    expect(titles('DESK')).toEqual(['Lab: Build box']);
    expect(titles('nginx')).toEqual(['Servers: web 9']);
    expect(titles('10.0.0.5')).toEqual([`${FAVOURITES}: alpha`]);
    expect(titles('lab box')).toEqual(['Lab: Build box']);
    expect(titles('lab nginx')).toEqual([]);
    expect(matchesSearch(list[0], '   ')).toBe(true);
  });
});
