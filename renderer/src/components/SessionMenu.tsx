import { useEffect, useRef } from 'react';
import { KEY_COMBOS, type KeyCombo } from '../../../shared/keyboard/combos.ts';

export interface MenuAction {
  label: string;
  run(): void;
}

/**
 * A menu of key combinations (and, for the menu key, session actions). Arrow keys move,
 * Enter runs, Escape closes; focus returns to where it came from.
 */
export function SessionMenu(props: {
  label: string;
  actions?: MenuAction[];
  /** List the key combinations after the actions (default true). */
  combos?: boolean;
  onCombo(combo: KeyCombo): void;
  onClose(): void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, []);
  const items: MenuAction[] = [
    ...(props.actions ?? []),
    ...(props.combos === false ? [] : KEY_COMBOS).map((combo) => ({
      label: combo.label,
      run: () => props.onCombo(combo),
    })),
  ];
  const move = (event: React.KeyboardEvent) => {
    const all = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const index = all.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => all[(i + all.length) % all.length]?.focus();
    if (event.key === 'ArrowDown') go(index + 1);
    else if (event.key === 'ArrowUp') go(index - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(all.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') props.onClose();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <div className="overlay clear" onPointerDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div role="menu" aria-label={props.label} className="menu" ref={menu} onKeyDown={move}>
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={() => {
              props.onClose();
              item.run();
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
    </div>
  );
}
