import { COLOUR_LEVEL_FORMATS, COLOUR_LEVELS, type ColourLevel } from '../../../shared/colour-level.ts';
import { PICTURE_QUALITIES, type PictureQuality } from '../../../shared/picture-quality.ts';
import { SCALINGS, type Scaling } from '../../../shared/settings.ts';
import { COLOUR_LEVEL_LABELS, QUALITY_LABELS, SCALING_LABELS } from './labels.ts';

/** A labelled drop-down over a fixed list of values (picture quality, colour level, scaling…). */
export function Choice<T extends string>(props: {
  label: string;
  value: T;
  values: readonly T[];
  labels: Record<T, string>;
  /** A tooltip for each value (e.g. a colour level's technical name). */
  hints?: Record<T, string>;
  onChange(value: T): void;
}) {
  return (
    <label>
      {props.label}
      <select
        value={props.value}
        title={props.hints?.[props.value]}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.values.map((v) => (
          <option key={v} value={v} title={props.hints?.[v]}>
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

/** The colour level drop-down ("Full colour" down to "8 colours" and the palette), technical names as hints. */
export function ColourLevelChoice(props: ChoiceOf<ColourLevel>) {
  return (
    <Choice {...props} values={COLOUR_LEVELS} labels={COLOUR_LEVEL_LABELS} hints={COLOUR_LEVEL_FORMATS} />
  );
}

/** The scaling drop-down (fit, 1:1, fill). */
export function ScalingChoice(props: ChoiceOf<Scaling>) {
  return <Choice {...props} values={SCALINGS} labels={SCALING_LABELS} />;
}
