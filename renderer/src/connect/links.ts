import { type ResolvedLink, TAKE_LAUNCHES_TARGET } from '../../../shared/ipc.ts';
import { platform } from '../platform/index.ts';
import { useDialogs } from '../state/dialogs.ts';
import { useSettings } from '../state/settings.ts';
import { useApp } from '../state/store.ts';
import { openLaunches } from './launches.ts';
import { defaultChoices, openBookmark, openInNewTab } from './open-session.ts';

/**
 * A target the platform wants opened. A `vnc://` link to a bookmarked server connects with
 * that bookmark; any other link is confirmed by the user first and never uses a stored
 * password. Other targets open as typed addresses.
 */
export async function handleOpenTarget(target: string): Promise<void> {
  if (target === TAKE_LAUNCHES_TARGET) return openLaunches();
  // The menu's File → New Connection sends no target: a new connect tab.
  if (!target) {
    useApp.getState().addConnectTab();
    return;
  }
  if (!/^vnc:\/\//i.test(target)) {
    openInNewTab(target, defaultChoices());
    return;
  }
  let link: ResolvedLink;
  try {
    link = await platform().invoke('link:resolve', { url: target });
  } catch (error) {
    useSettings.setState((s) => ({
      notices: [...s.notices, `The link ${target} was not opened: ${(error as Error).message}`],
    }));
    return;
  }
  await settingsLoaded();
  const bookmark = link.bookmarkId
    ? useSettings.getState().bookmarks.find((b) => b.id === link.bookmarkId)
    : undefined;
  if (bookmark && !link.needsConfirmation) {
    const id = useApp.getState().addConnectTab(bookmark.address);
    openBookmark(id, { ...bookmark, ...link.options });
    return;
  }
  useDialogs.setState({ link });
}

/** Resolves once the settings (and so the bookmarks) are loaded. */
function settingsLoaded(): Promise<void> {
  if (useSettings.getState().loaded) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useSettings.subscribe((state) => {
      if (!state.loaded) return;
      stop();
      resolve();
    });
  });
}

/** The user said yes to a link that is not a bookmark: connect with no stored password. */
export function openConfirmedLink(link: ResolvedLink): void {
  openInNewTab(link.target, { ...defaultChoices(), ...link.options });
}
