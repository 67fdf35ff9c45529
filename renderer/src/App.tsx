import { useEffect } from 'react';
import { ConnectScreen } from './components/ConnectScreen.tsx';
import { openTarget, SessionView } from './components/SessionView.tsx';
import { statusText } from './components/StatusLine.tsx';
import { platform } from './platform/index.ts';
import { endSession } from './session/controller.ts';
import { type Tab, useApp } from './state/store.ts';

/** The application: one tab per session or connect screen. */
export function App() {
  const tabs = useApp((s) => s.tabs);
  const activeId = useApp((s) => s.activeId);
  useEffect(() => platform().onOpenTarget(openTarget), []);

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
    <div className="app">
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
                {tabTitle(tab)}
              </button>
              <button
                type="button"
                className="small"
                aria-label={`Close ${tabTitle(tab)}`}
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
      </header>
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
    </div>
  );
}

function tabTitle(tab: Tab): string {
  if (tab.kind === 'connect') return 'New connection';
  return tab.desktopName || tab.target;
}
