/** The toolbar's icons: 16×16 line drawings in the text colour. */
const PATHS = {
  keys: 'M1.5 4.5h13v8h-13z M4 7h1 M7 7h2 M11 7h1 M4.5 10h7',
  eye: 'M1 8s2.5-4.5 7-4.5S15 8 15 8s-2.5 4.5-7 4.5S1 8 1 8z M8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4z',
  fullScreen: 'M1.5 5.5v-4h4 M10.5 1.5h4v4 M14.5 10.5v4h-4 M5.5 14.5h-4v-4',
  camera: 'M1.5 5h3l1.5-2h4l1.5 2h3v8.5h-13z M8 6.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z',
  clipboard: 'M5 2.5h-2v12h10v-12h-2 M5.5 1.5h5v2.5h-5z M5 8h6 M5 11h4',
  refresh: 'M13.5 8a5.5 5.5 0 1 1-1.6-3.9 M12.5 1.5v3h-3',
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13z M8 7v4.5 M8 4.5v1',
  stats: 'M1.5 14.5h13 M3.5 12v-4 M6.5 12v-7 M9.5 12v-5 M12.5 12v-9',
  bookmark: 'M4 1.5h8v13l-4-3-4 3z',
  power: 'M8 1.5v6 M4.5 3.8a5.5 5.5 0 1 0 7 0',
  disconnect: 'M3 3l10 10 M13 3l-10 10',
  reconnect: 'M2.5 8a5.5 5.5 0 0 1 9.4-3.9 M12.5 1.5v3h-3 M13.5 8a5.5 5.5 0 0 1-9.4 3.9 M3.5 14.5v-3h3',
  stream: 'M1.5 8h3l2-4 3 8 2-4h3',
  audio: 'M2 6h3l4-3.5v11l-4-3.5h-3z M11.5 5.5a3.5 3.5 0 0 1 0 5',
  resize: 'M1.5 1.5h13v13h-13z M9 5h2v2 M7 11h-2v-2 M11 5l-6 6',
  resizeAlways: 'M1.5 1.5h13v13h-13z M9 5h2v2 M7 11h-2v-2 M11 5l-6 6 M4 4.5h0.01 M12 11.5h0.01',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
