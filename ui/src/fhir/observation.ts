// Observations: the value (quantity, coded, text...), its components (blood pressure) and
// whether it lies outside the reference range.
import {
  arr,
  conceptText,
  firstCode,
  formatQuantity,
  formatRange,
  isObj,
  num,
  obj,
  quantityUnit,
  str,
  type Json,
} from './datatypes';
import { formatDate, formatNumber } from '../lib/format';
import { t, type MessageId } from '../i18n/translate';
import type { ValueRow } from './model';

const VALUE_KEYS = [
  'valueQuantity',
  'valueCodeableConcept',
  'valueString',
  'valueBoolean',
  'valueInteger',
  'valueRange',
  'valueRatio',
  'valueDateTime',
  'valueTime',
  'valuePeriod',
] as const;

/** The value of an Observation or a component in words, or undefined when it has none. */
export function observationValue(o: Json): string | undefined {
  if ('valueQuantity' in o) return formatQuantity(o.valueQuantity);
  if ('valueCodeableConcept' in o) return conceptText(o.valueCodeableConcept);
  if ('valueString' in o) return str(o.valueString);
  if (typeof o.valueBoolean === 'boolean') return t(o.valueBoolean ? 'fhir.observation.yes' : 'fhir.observation.no');
  if ('valueInteger' in o) {
    const n = num(o.valueInteger);
    return n === undefined ? undefined : formatNumber(n);
  }
  if ('valueRange' in o) return formatRange(o.valueRange);
  if ('valueRatio' in o) {
    const r = obj(o.valueRatio);
    const n = formatQuantity(r?.numerator);
    const d = formatQuantity(r?.denominator);
    return n && d ? `${n} / ${d}` : n;
  }
  if ('valueDateTime' in o) return formatDate(str(o.valueDateTime)) ?? undefined;
  if ('valueTime' in o) return str(o.valueTime);
  return undefined;
}

export function hasValue(o: Json): boolean {
  return VALUE_KEYS.some((k) => k in o);
}

/** The range to compare against: the "normal" one when the lab gives several. */
function pickRange(o: Json): Json | undefined {
  const ranges = arr(o.referenceRange).filter(isObj);
  return ranges.find((r) => !r.type || firstCode(r.type) === 'normal') ?? ranges[0];
}

/** Out of range by numbers first; else by the lab's own interpretation code (H, L, A...). */
export function valueFlag(o: Json): ValueRow['flag'] {
  const value = num(obj(o.valueQuantity)?.value);
  const range = pickRange(o);
  if (value !== undefined && range) {
    const low = num(obj(range.low)?.value);
    const high = num(obj(range.high)?.value);
    if (low !== undefined && value < low) return 'low';
    if (high !== undefined && value > high) return 'high';
    if (low !== undefined || high !== undefined) return null;
  }
  for (const interp of arr(o.interpretation)) {
    const code = firstCode(interp)?.toUpperCase();
    if (code === 'H' || code === 'HH' || code === 'HU' || code === '>') return 'high';
    if (code === 'L' || code === 'LL' || code === 'LU' || code === '<') return 'low';
    if (code === 'A' || code === 'AA') return 'abnormal';
  }
  return null;
}

function row(label: string | null, o: Json): ValueRow | undefined {
  const value = observationValue(o);
  const absent = conceptText(o.dataAbsentReason);
  if (value === undefined && !absent) return undefined;
  const range = pickRange(o);
  return {
    label,
    value: value ?? t('fhir.observation.notAvailable', { reason: absent }),
    range: range ? (formatRange(range) ?? null) : null,
    flag: value === undefined ? null : valueFlag(o),
  };
}

const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

function componentCode(c: Json): string | undefined {
  return arr(obj(c.code)?.coding)
    .filter(isObj)
    .map((k) => str(k.code))
    .find(Boolean);
}

/**
 * The rows to show for an Observation: its own value, then one per component. Blood pressure
 * also gets the familiar "120/80 mmHg" first.
 */
export function observationRows(o: Json): ValueRow[] {
  const rows: ValueRow[] = [];
  const own = row(null, o);
  if (own) rows.push(own);
  const components = arr(o.component).filter(isObj);
  const sys = components.find((c) => componentCode(c) === SYSTOLIC);
  const dia = components.find((c) => componentCode(c) === DIASTOLIC);
  const sysV = num(obj(sys?.valueQuantity)?.value);
  const diaV = num(obj(dia?.valueQuantity)?.value);
  if (!own && sysV !== undefined && diaV !== undefined) {
    const unit = quantityUnit(sys?.valueQuantity) ?? 'mmHg';
    const flagged = [sys, dia].some((c) => c && valueFlag(c));
    rows.push({
      label: null,
      value: `${formatNumber(sysV)}/${formatNumber(diaV)} ${unit}`,
      range: null,
      flag: flagged ? 'abnormal' : null,
    });
  }
  for (const c of components) {
    const r = row(conceptText(c.code) ?? t('fhir.observation.component'), c);
    if (r) rows.push(r);
  }
  return rows;
}

// Observation categories (FHIR R4 observation-category) that name the kind, first match wins.
const CATEGORY_LABELS: [string, MessageId][] = [
  ['laboratory', 'fhir.observation.laboratory'],
  ['vital-signs', 'fhir.observation.vitalSigns'],
  ['survey', 'fhir.observation.survey'],
  ['social-history', 'fhir.observation.socialHistory'],
];

/** "Lab result" / "Vital sign" / "Survey" / "Observation", from the observation's category. */
export function observationTypeLabel(o: Json): string {
  const codes = arr(o.category).map(firstCode);
  const match = CATEGORY_LABELS.find(([code]) => codes.includes(code));
  return t(match ? match[1] : 'fhir.observation.other');
}
