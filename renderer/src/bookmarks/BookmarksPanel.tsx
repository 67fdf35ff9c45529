import { useId, useRef, useState } from 'react';
import type { Bookmark } from '../../../shared/settings.ts';
import { platform } from '../platform/index.ts';
import { openEditor, useDialogs } from '../state/dialogs.ts';
import { useSettings } from '../state/settings.ts';
import { newBookmarkFields, seedOf } from './BookmarkEditor.tsx';
import { type BookmarkSort, bookmarkSections, lastConnectedText } from './bookmark-order.ts';
import type { ImportReport } from './files.ts';
import { exportAllJson, exportBookmarkVnc, importJsonFile, importVncFiles } from './files.ts';
import { useThumbnail } from './thumbnails.ts';

/**
 * The bookmarks on the connect screen: search as you type, sort, favourites first and then
 * by group. A click selects a bookmark; arrow keys move between bookmarks, Enter or a double
 * click connects, Delete deletes (with Undo). Each row has its actions as buttons too.
 */
export function BookmarksPanel(props: { onConnect(bookmark: Bookmark): void }) {
  const bookmarks = useSettings((s) => s.bookmarks);
  const deleted = useSettings((s) => s.deleted);
  const thumbnailsOn = useSettings((s) => s.settings.thumbnails);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<BookmarkSort>('name');
  const [current, setCurrent] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState('');
  const list = useRef<HTMLDivElement>(null);
  const ids = { heading: useId(), search: useId(), sort: useId() };
  const sections = bookmarkSections(bookmarks, query, sort);
  const visible = sections.flatMap((s) => s.bookmarks);
  const focusable = visible.some((b) => b.id === current) ? current : visible[0]?.id;

  const rowButton = (id: string) =>
    list.current?.querySelector<HTMLElement>(`[data-bookmark-id="${CSS.escape(id)}"]`) ?? null;
  const moveTo = (index: number) => {
    const target = visible[Math.max(0, Math.min(visible.length - 1, index))];
    if (!target) return;
    setCurrent(target.id);
    rowButton(target.id)?.focus();
  };
  const setReport = (importReport: ImportReport) => useDialogs.setState({ importReport });
  const run = (what: string, action: () => Promise<unknown>) => {
    setActionError('');
    action().catch((error: Error) => setActionError(`${what} failed: ${error.message}`));
  };
  const remove = (bookmark: Bookmark) => {
    const index = visible.findIndex((b) => b.id === bookmark.id);
    run(`Deleting "${bookmark.name}"`, async () => {
      await useSettings.getState().deleteBookmark(bookmark.id);
      const next = visible.filter((b) => b.id !== bookmark.id)[Math.min(index, visible.length - 2)];
      if (next) {
        setCurrent(next.id);
        setTimeout(() => rowButton(next.id)?.focus());
      }
    });
  };
  const duplicate = (bookmark: Bookmark) =>
    run(`Duplicating "${bookmark.name}"`, async () => {
      const copy = await platform().invoke('bookmarks:duplicate', { id: bookmark.id });
      useSettings.getState().putBookmark(copy);
    });

  const onRowKey = (event: React.KeyboardEvent, bookmark: Bookmark) => {
    const index = visible.findIndex((b) => b.id === bookmark.id);
    if (event.key === 'ArrowDown') moveTo(index + 1);
    else if (event.key === 'ArrowUp') moveTo(index - 1);
    else if (event.key === 'Home') moveTo(0);
    else if (event.key === 'End') moveTo(visible.length - 1);
    else if (event.key === 'Delete') remove(bookmark);
    else if (event.key === 'Enter') props.onConnect(bookmark);
    else return;
    event.preventDefault();
  };
  const onSearchKey = (event: React.KeyboardEvent) => {
    if (event.key !== 'ArrowDown' || visible.length === 0) return;
    event.preventDefault();
    moveTo(0);
  };

  return (
    <section className="bookmarks" aria-labelledby={ids.heading}>
      <div className="row spread">
        <h2 id={ids.heading}>Bookmarks</h2>
        <div className="row">
          <button
            type="button"
            onClick={() => openEditor({ fields: newBookmarkFields(), hasPassword: false })}
          >
            New bookmark
          </button>
          <FileButton
            label="Import .vnc files"
            accept=".vnc"
            multiple
            onFiles={(files) => void importVncFiles(files).then(setReport)}
          />
          <FileButton
            label="Import bookmarks (JSON)"
            accept=".json,application/json"
            onFiles={(files) => files[0] && void importJsonFile(files[0]).then(setReport)}
          />
          <button
            type="button"
            disabled={bookmarks.length === 0}
            onClick={() => run('Exporting the bookmarks', exportAllJson)}
          >
            Export all (JSON)
          </button>
        </div>
      </div>
      {bookmarks.length > 0 && (
        <div className="row">
          <label htmlFor={ids.search} className="visually-hidden">
            Search bookmarks
          </label>
          <input
            id={ids.search}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onSearchKey}
            placeholder="Search name, address, group, tags, notes"
            aria-controls={`${ids.heading}-list`}
          />
          <label htmlFor={ids.sort}>Sort by</label>
          <select id={ids.sort} value={sort} onChange={(e) => setSort(e.target.value as BookmarkSort)}>
            <option value="name">Name</option>
            <option value="last-used">Last used</option>
          </select>
        </div>
      )}
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      {deleted && (
        <div className="toast" role="status">
          <span>Deleted "{deleted.name}".</span>
          <button type="button" onClick={() => run('Undo', () => useSettings.getState().undoDelete())}>
            Undo
          </button>
          <button
            type="button"
            className="small"
            aria-label="Close this message"
            onClick={() => useSettings.getState().dismissDeleted()}
          >
            ×
          </button>
        </div>
      )}
      {bookmarks.length === 0 ? (
        <p className="muted">
          No bookmarks yet. Save a server with "New bookmark", from a session's "Save as bookmark", or drop
          .vnc files onto the window.
        </p>
      ) : visible.length === 0 ? (
        <p className="muted">No bookmark matches "{query}".</p>
      ) : (
        <div id={`${ids.heading}-list`} ref={list} className="bookmark-list">
          {sections.map((section) => (
            <div key={section.title}>
              <h3>{section.title}</h3>
              <ul aria-label={`${section.title} bookmarks`}>
                {section.bookmarks.map((bookmark) => (
                  <li key={bookmark.id} className="bookmark" onDoubleClick={() => props.onConnect(bookmark)}>
                    {thumbnailsOn && <BookmarkThumbnail bookmark={bookmark} />}
                    <button
                      type="button"
                      className="bookmark-main"
                      data-bookmark-id={bookmark.id}
                      tabIndex={bookmark.id === focusable ? 0 : -1}
                      aria-label={bookmark.name}
                      aria-describedby={`${ids.heading}-${bookmark.id}-details`}
                      onFocus={() => setCurrent(bookmark.id)}
                      onKeyDown={(e) => onRowKey(e, bookmark)}
                      onClick={(e) => e.currentTarget.focus()}
                    >
                      <span className="bookmark-name">
                        {bookmark.favourite && <span aria-hidden="true">★ </span>}
                        {bookmark.name}
                      </span>
                      <span id={`${ids.heading}-${bookmark.id}-details`} className="muted">
                        {bookmark.address} · last connected {lastConnectedText(bookmark)}
                        {bookmark.hasPassword ? ' · password stored' : ''}
                        {bookmark.tags.length > 0 ? ` · ${bookmark.tags.join(', ')}` : ''}
                      </span>
                    </button>
                    <span className="bookmark-actions">
                      <button
                        type="button"
                        onClick={() => props.onConnect(bookmark)}
                        aria-label={`Connect to ${bookmark.name}`}
                      >
                        Connect
                      </button>
                      <button
                        type="button"
                        onClick={() => openEditor(seedOf(bookmark))}
                        aria-label={`Edit ${bookmark.name}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        onClick={() => duplicate(bookmark)}
                        aria-label={`Duplicate ${bookmark.name}`}
                      >
                        Duplicate
                      </button>
                      <button
                        type="button"
                        onClick={() =>
                          run(`Exporting "${bookmark.name}"`, () => exportBookmarkVnc(bookmark.id))
                        }
                        aria-label={`Export ${bookmark.name} as a .vnc file`}
                      >
                        Export .vnc
                      </button>
                      <button
                        type="button"
                        onClick={() => remove(bookmark)}
                        aria-label={`Delete ${bookmark.name}`}
                      >
                        Delete
                      </button>
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

/** The bookmark's screen from its last session, or an empty frame of the same size. */
function BookmarkThumbnail(props: { bookmark: Bookmark }) {
  const image = useThumbnail(props.bookmark.id);
  return image ? (
    <img className="bookmark-thumbnail" src={image} alt={`Last screen of ${props.bookmark.name}`} />
  ) : (
    <span className="bookmark-thumbnail empty" aria-hidden="true" />
  );
}

/** A button that opens the file picker; the input inside is what assistive tech and tests reach. */
function FileButton(props: {
  label: string;
  accept: string;
  multiple?: boolean;
  onFiles(files: File[]): void;
}) {
  return (
    <label className="file-button">
      {props.label}
      <input
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length > 0) props.onFiles(files);
        }}
      />
    </label>
  );
}
