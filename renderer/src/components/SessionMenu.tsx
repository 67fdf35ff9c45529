import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { KEY_COMBOS, type KeyCombo } from '../../../shared/keyboard/combos.ts';

export interface MenuAction {
  label: string;
  run(): void;
  /** A radio item (one of a group's choices) or a check item (a toggle), with its state. */
  checked?: boolean;
  kind?: 'radio' | 'check';
  /** A letter that runs the item while the menu is open (shown beside it). */
  shortcut?: string;
  disabled?: boolean;
}

export interface MenuGroup {
  label: string;
  actions: MenuAction[];
}

/** A group of radio items, one per value, the current one checked. */
export function radioGroup<T extends string>(
  label: string,
  values: readonly T[],
  labels: Record<T, string>,
  current: T,
  pick: (value: T) => void,
): MenuGroup {
  return {
    label,
    actions: values.map((value) => ({
      label: labels[value],
      kind: 'radio',
      checked: value === current,
      run: () => pick(value),
    })),
  };
}

/** Where a menu opens: the top-left corner it hangs from (viewport pixels). */
export interface MenuAnchor {
  x: number;
  y: number;
}

const MARGIN = 8;

/**
 * A menu of session actions in groups and, unless `combos` is false, the key combinations.
 * It opens at its anchor (moved back inside the window if needed), never grows taller than
 * the window (it scrolls), and follows the ARIA menu pattern: arrows, Home and End move,
 * Enter runs, a shortcut letter runs its item, Escape closes; focus returns to where it came from.
 */
export function SessionMenu(props: {
  label: string;
  groups?: MenuGroup[];
  actions?: MenuAction[];
  /** List the key combinations after the actions (default true). */
  combos?: boolean;
  anchor?: MenuAnchor;
  onCombo(combo: KeyCombo): void;
  onClose(): void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<MenuAnchor | undefined>(props.anchor);
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role^="menuitem"]:not([disabled])')?.focus();
  }, []);
  useLayoutEffect(() => {
    const box = menu.current;
    if (!props.anchor || !box) return;
    const { width, height } = box.getBoundingClientRect();
    setPosition({
      x: Math.max(MARGIN, Math.min(props.anchor.x, window.innerWidth - width - MARGIN)),
      y: Math.max(MARGIN, Math.min(props.anchor.y, window.innerHeight - height - MARGIN)),
    });
  }, [props.anchor]);
  const groups: MenuGroup[] = [
    ...(props.actions ? [{ label: '', actions: props.actions }] : []),
    ...(props.groups ?? []),
    ...(props.combos === false
      ? []
      : [
          {
            label: 'Send keys',
            actions: KEY_COMBOS.map((combo) => ({ label: combo.label, run: () => props.onCombo(combo) })),
          },
        ]),
  ];
  const run = (item: MenuAction) => {
    props.onClose();
    item.run();
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const all = Array.from(
      menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([disabled])') ?? [],
    );
    const index = all.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => all[(i + all.length) % all.length]?.focus();
    const shortcut = groups
      .flatMap((g) => g.actions)
      .find((a) => !a.disabled && a.shortcut && a.shortcut.toLowerCase() === event.key.toLowerCase());
    if (event.key === 'ArrowDown') go(index + 1);
    else if (event.key === 'ArrowUp') go(index - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(all.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') props.onClose();
    else if (shortcut && !event.ctrlKey && !event.altKey && !event.metaKey) run(shortcut);
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
  const placed = position && { position: 'fixed' as const, left: position.x, top: position.y };
  return (
    <div
      className={`overlay clear${props.anchor ? ' anchored' : ''}`}
      onPointerDown={(e) => e.target === e.currentTarget && props.onClose()}
    >
      <div
        role="menu"
        aria-label={props.label}
        className="menu session-menu"
        ref={menu}
        onKeyDown={onKeyDown}
        style={placed}
      >
        {groups.map((group) => (
          // biome-ignore lint/a11y/useSemanticElements: a group inside a menu is role="group" (ARIA menu pattern).
          <div key={group.label} role="group" aria-label={group.label || undefined} className="menu-group">
            {group.label && (
              <div className="menu-group-label" aria-hidden="true">
                {group.label}
              </div>
            )}
            {group.actions.map((item) => (
              <MenuItem key={item.label} item={item} onRun={() => run(item)} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

/** One item: a plain action, a radio choice or a toggle, with its shortcut letter. */
function MenuItem({ item, onRun }: { item: MenuAction; onRun(): void }) {
  const content = (
    <>
      <span className="menu-check" aria-hidden="true">
        {item.checked ? (item.kind === 'radio' ? '●' : '✓') : ''}
      </span>
      <span className="menu-label">{item.label}</span>
      {item.shortcut && (
        <span className="menu-shortcut" aria-hidden="true">
          {item.shortcut.toUpperCase()}
        </span>
      )}
    </>
  );
  const common = {
    type: 'button' as const,
    tabIndex: -1,
    disabled: item.disabled,
    'aria-keyshortcuts': item.shortcut,
    onClick: onRun,
  };
  if (item.kind === 'radio')
    return (
      <button {...common} role="menuitemradio" aria-checked={Boolean(item.checked)}>
        {content}
      </button>
    );
  if (item.kind === 'check')
    return (
      <button {...common} role="menuitemcheckbox" aria-checked={Boolean(item.checked)}>
        {content}
      </button>
    );
  return (
    <button {...common} role="menuitem">
      {content}
    </button>
  );
}
