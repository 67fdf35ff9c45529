import { create } from 'zustand';

/** Per-tab state outside the tab list (so painting and input never re-render every tab). */
export interface TabStore<T> {
  byTab: Record<string, T>;
  patch(tabId: string, patch: Partial<T>): void;
  remove(tabId: string): void;
}

/** A store of one `T` per tab, starting from `defaults`, and the hook that reads one tab's. */
export function createTabStore<T>(defaults: T) {
  const store = create<TabStore<T>>()((set) => ({
    byTab: {},
    patch(tabId, patch) {
      set((s) => ({ byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? defaults), ...patch } } }));
    },
    remove(tabId) {
      set((s) => {
        const { [tabId]: _gone, ...rest } = s.byTab;
        return { byTab: rest };
      });
    },
  }));
  const useTab = (tabId: string): T => store((s) => s.byTab[tabId] ?? defaults);
  return { store, useTab };
}
