import { COLOUR_LEVEL_NAMES, type ColourLevel } from '../../../shared/colour-level.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import type { Scaling } from '../../../shared/settings.ts';

export const QUALITY_LABELS: Record<PictureQuality, string> = {
  auto: 'Auto',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Colour levels by the number of colours people see (their technical names are the hints). */
export const COLOUR_LEVEL_LABELS: Record<ColourLevel, string> = COLOUR_LEVEL_NAMES;

export const SCALING_LABELS: Record<Scaling, string> = {
  fit: 'Fit to window',
  '1:1': '1:1',
  fill: 'Fill window',
};
