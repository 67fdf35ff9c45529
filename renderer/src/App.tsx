import { useEffect, useState } from 'react';
import type { Bookmark } from '../../shared/settings.ts';
import { BookmarkEditor } from './bookmarks/BookmarkEditor.tsx';
import { importVncFiles } from './bookmarks/files.ts';
import { ConnectScreen } from './components/ConnectScreen.tsx';
import { Dialog } from './components/Dialog.tsx';
import { SessionView } from './components/SessionView.tsx';
import { statusText } from './components/StatusLine.tsx';
import { handleOpenTarget, openConfirmedLink } from './connect/links.ts';
import { watchBookmarkConnections } from './connect/open-session.ts';
import { platform } from './platform/index.ts';
import { checkAllConnections, endSession } from './session/controller.ts';
import { watchThumbnails } from './session/thumbnail.ts';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { useDialogs } from './state/dialogs.ts';
import { useSettings, watchSettingsChanges } from './state/settings.ts';
import { type Tab, useApp } from './state/store.ts';

/** The application: one tab per session or connect screen. */
export function App() {
  const tabs = useApp((s) => s.tabs);
  const activeId = useApp((s) => s.activeId);
  const bookmarks = useSettings((s) => s.bookmarks);
  const titleOf = (tab: Tab) => tabTitle(tab, bookmarks);
  useEffect(() => {
    void useSettings.getState().load();
    const unwatch = watchBookmarkConnections();
    const unwatchSettings = watchSettingsChanges();
    const unwatchThumbnails = watchThumbnails();
    const unlisten = platform().onOpenTarget((target) => void handleOpenTarget(target));
    const unresume = platform().onResume(checkAllConnections);
    return () => {
      unwatch();
      unwatchSettings();
      unwatchThumbnails();
      unlisten();
      unresume();
    };
  }, []);
  const dropping = useVncFileDrop();

  const close = (tab: Tab) => {
    endSession(tab.id);
    useApp.getState().closeTab(tab.id);
  };
  const moveBetweenTabs = (event: React.KeyboardEvent) => {
    const index = tabs.findIndex((t) => t.id === activeId);
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else return;
    event.preventDefault();
    useApp.getState().activate(tabs[next].id);
    document.getElementById(`${tabs[next].id}-tab`)?.focus();
  };

  return (
    <div className={`app${dropping ? ' dropping' : ''}`}>
      <header className="tabs">
        <div role="tablist" aria-label="Sessions" onKeyDown={moveBetweenTabs}>
          {tabs.map((tab) => (
            <div key={tab.id} className={`tab${tab.id === activeId ? ' active' : ''}`}>
              <button
                type="button"
                role="tab"
                id={`${tab.id}-tab`}
                aria-selected={tab.id === activeId}
                aria-controls={`${tab.id}-panel`}
                tabIndex={tab.id === activeId ? 0 : -1}
                title={tab.kind === 'session' ? statusText(tab) : undefined}
                onClick={() => useApp.getState().activate(tab.id)}
              >
                <span className={`dot ${tab.status?.phase ?? 'idle'}`} aria-hidden="true" />
                {titleOf(tab)}
              </button>
              <button
                type="button"
                className="small"
                aria-label={`Close ${titleOf(tab)}`}
                onClick={() => close(tab)}
              >
                ×
              </button>
            </div>
          ))}
        </div>
        <button type="button" className="new" onClick={() => useApp.getState().addConnectTab()}>
          New connection
        </button>
        <button type="button" onClick={() => useDialogs.setState({ settingsOpen: true })}>
          Settings
        </button>
      </header>
      <Banners />
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${tab.id}-panel`}
          aria-labelledby={`${tab.id}-tab`}
          hidden={tab.id !== activeId}
          className="panel"
        >
          {tab.kind === 'connect' ? <ConnectScreen tab={tab} /> : <SessionView tab={tab} />}
        </div>
      ))}
      <AppDialogs />
    </div>
  );
}

/** Notices from loading the settings, import results and load failures, each dismissible. */
function Banners() {
  const notices = useSettings((s) => s.notices);
  const loadError = useSettings((s) => s.loadError);
  const report = useDialogs((s) => s.importReport);
  return (
    <>
      {loadError && (
        <div className="banner error" role="alert">
          <p>The settings could not be loaded ({loadError}); the viewer runs on its defaults.</p>
        </div>
      )}
      {notices.map((notice, index) => (
        <div className="banner" role="alert" key={notice}>
          <p>{notice}</p>
          <button type="button" onClick={() => useSettings.getState().dismissNotice(index)}>
            Dismiss
          </button>
        </div>
      ))}
      {report && (
        <div className={`banner${report.failed ? ' error' : ''}`} role="alert">
          <div>
            {report.messages.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
          <button type="button" onClick={() => useDialogs.setState({ importReport: undefined })}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}

/** The bookmark editor, the settings and the link confirmation, opened from anywhere. */
function AppDialogs() {
  const editor = useDialogs((s) => s.editor);
  const settingsOpen = useDialogs((s) => s.settingsOpen);
  const link = useDialogs((s) => s.link);
  return (
    <>
      {editor && <BookmarkEditor seed={editor} onClose={() => useDialogs.setState({ editor: undefined })} />}
      {settingsOpen && <SettingsPanel onClose={() => useDialogs.setState({ settingsOpen: false })} />}
      {link && (
        <Dialog title="Open this link?" onClose={() => useDialogs.setState({ link: undefined })}>
          <p>Connect to {link.target}? This link is not one of your bookmarks.</p>
          <p className="muted">No stored password is used; the server asks for one if it needs it.</p>
          <div className="row end">
            <button type="button" onClick={() => useDialogs.setState({ link: undefined })}>
              Cancel
            </button>
            <button
              type="button"
              data-autofocus
              onClick={() => {
                useDialogs.setState({ link: undefined });
                openConfirmedLink(link);
              }}
            >
              Connect
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

/** `.vnc` files dropped anywhere on the window are imported as bookmarks. */
function useVncFileDrop(): boolean {
  const [dropping, setDropping] = useState(false);
  useEffect(() => {
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      setDropping(true);
    };
    const leave = (event: DragEvent) => {
      if (event.relatedTarget === null) setDropping(false);
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      setDropping(false);
      const files = Array.from(event.dataTransfer?.files ?? []);
      const vnc = files.filter((f) => /\.vnc$/i.test(f.name));
      if (vnc.length === 0) {
        useDialogs.setState({
          importReport: {
            messages: ['Only .vnc files can be dropped here (as new bookmarks).'],
            failed: true,
          },
        });
        return;
      }
      void importVncFiles(vnc).then((importReport) => useDialogs.setState({ importReport }));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return dropping;
}

/** A session's tab is named after its bookmark, else its address (the desktop's name is in the tooltip). */
export function tabTitle(tab: Tab, bookmarks: readonly Bookmark[]): string {
  if (tab.kind === 'connect') return 'New connection';
  const bookmark = tab.bookmarkId ? bookmarks.find((b) => b.id === tab.bookmarkId) : undefined;
  return bookmark?.name ?? tab.target;
}
