import { COLOUR_LEVELS, type ColourLevel } from '../../../shared/colour-level.ts';
import { PICTURE_QUALITIES, type PictureQuality } from '../../../shared/picture-quality.ts';
import { SCALINGS, type Scaling } from '../../../shared/settings.ts';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS, SCALING_LABELS } from './labels.ts';

/** A labelled drop-down over a fixed list of values (picture quality, colour level, scaling…). */
export function Choice<T extends string>(props: {
  label: string;
  value: T;
  values: readonly T[];
  labels: Record<T, string>;
  onChange(value: T): void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.values.map((v) => (
          <option key={v} value={v}>
            {props.labels[v]}
          </option>
        ))}
      </select>
    </label>
  );
}

interface ChoiceOf<T extends string> {
  label: string;
  value: T;
  onChange(value: T): void;
}

/** The picture quality drop-down (Auto, High, Medium, Low). */
export function QualityChoice(props: ChoiceOf<PictureQuality>) {
  return <Choice {...props} values={PICTURE_QUALITIES} labels={QUALITY_LABELS} />;
}

/** The colour level drop-down (full colour down to rgb111 and pal8). */
export function ColourLevelChoice(props: ChoiceOf<ColourLevel>) {
  return <Choice {...props} values={COLOUR_LEVELS} labels={COLOUR_LEVEL_LABELS} />;
}

/** The scaling drop-down (fit, 1:1, fill). */
export function ScalingChoice(props: ChoiceOf<Scaling>) {
  return <Choice {...props} values={SCALINGS} labels={SCALING_LABELS} />;
}
