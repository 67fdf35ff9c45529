import type { ColourLevel } from '../../../shared/colour-level.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import type { Scaling } from '../../../shared/settings.ts';

export const QUALITY_LABELS: Record<PictureQuality, string> = {
  auto: 'Auto',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const COLOUR_LEVEL_LABELS: Record<ColourLevel, string> = {
  full: 'Full colour',
  rgb565: 'rgb565 (64K)',
  rgb332: 'rgb332 (256)',
  rgb222: 'rgb222 (64)',
  rgb111: 'rgb111 (8)',
  pal8: 'pal8 (legacy map)',
};

export const SCALING_LABELS: Record<Scaling, string> = {
  fit: 'Fit to window',
  '1:1': '1:1',
  fill: 'Fill window',
};
