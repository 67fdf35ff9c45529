import type { ColourLevel } from '../../../shared/colour-level.ts';
import type { PictureInEffect } from '../../../shared/session-protocol.ts';
import type { Tab } from '../state/store.ts';
import { QUALITY_LABELS } from './labels.ts';

const PRESETS_IN_EFFECT: Record<PictureInEffect['preset'], string> = {
  high: 'lossless',
  medium: 'medium JPEG',
  low: 'low JPEG',
};

const LEVELS_IN_EFFECT: Record<ColourLevel, string> = {
  full: 'full colour',
  rgb565: '16-bit',
  rgb332: '8-bit',
  rgb222: '64 colours',
  rgb111: '8 colours',
  pal8: '256-colour palette',
};

/**
 * What the picture actually is next to what was chosen ("Auto → 8-bit, lossless"), when the
 * two can differ (Auto, safe mode, a level the session changed); undefined when they agree.
 */
export function pictureInEffectText(tab: Tab, inEffect: PictureInEffect | undefined): string | undefined {
  if (!inEffect) return undefined;
  const differs =
    inEffect.colourLevel !== tab.colourLevel || (tab.quality !== 'auto' && inEffect.preset !== tab.quality);
  if (tab.quality !== 'auto' && !differs) return undefined;
  // Tight sends JPEG only at 16 bits per pixel or more: at 8 bits every preset is lossless.
  const preset =
    inEffect.colourLevel === 'full' || inEffect.colourLevel === 'rgb565' ? inEffect.preset : 'high';
  return `${QUALITY_LABELS[tab.quality]} → ${LEVELS_IN_EFFECT[inEffect.colourLevel]}, ${PRESETS_IN_EFFECT[preset]}`;
}
