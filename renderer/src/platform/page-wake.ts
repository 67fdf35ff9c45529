/**
 * The page's signs that the machine may have slept or the network changed: it became visible
 * again, or the browser went back online. Returns the unsubscribe function.
 */
export function onPageWake(listener: () => void): () => void {
  const visible = () => {
    if (document.visibilityState === 'visible') listener();
  };
  document.addEventListener('visibilitychange', visible);
  window.addEventListener('online', listener);
  return () => {
    document.removeEventListener('visibilitychange', visible);
    window.removeEventListener('online', listener);
  };
}
