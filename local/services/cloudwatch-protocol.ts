import type { Input } from './cloudwatch-params';
import { isObject } from './http-util';
import type { XmlObject, XmlValue } from './xml';

/** The two wire encodings of the same plain objects: query-protocol input in, JSON or XML output out. */

/** Response values before protocol encoding: Dates become epoch seconds (JSON) or ISO 8601 (XML). */
export type Output = string | number | boolean | Date | Output[] | { [name: string]: Output };

export function toJson(value: Output): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

export function toXml(value: Output): XmlValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(toXml) };
  if (typeof value === 'object') {
    const out: XmlObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = toXml(v);
    return out;
  }
  return value;
}

/** "MetricData.member.1.Dimensions.member.2.Name=x" → { MetricData: [{ Dimensions: [_, { Name: 'x' }] }] }. */
export function unflattenQuery(form: URLSearchParams): Input {
  const root: Input = {};
  for (const [name, value] of form) {
    const parts = name.split('.');
    let node: Input = root;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        node[part] = value;
      } else {
        const existing = node[part];
        const next: Input = isObject(existing) ? existing : {};
        node[part] = next;
        node = next;
      }
    }
  }
  return arraysFromMembers(root) as Input;
}

function arraysFromMembers(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'member' && isObject(value.member)) {
    return Object.entries(value.member)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => arraysFromMembers(item));
  }
  return Object.fromEntries(keys.map((key) => [key, arraysFromMembers(value[key])]));
}
