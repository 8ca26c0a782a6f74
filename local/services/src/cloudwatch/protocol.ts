import { isObject } from '../http/util';
import type { XmlObject, XmlValue } from '../http/xml';
import type { Input } from './params';

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
    const out: XmlObject = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXml(v)]));
    return out;
  }
  return value;
}

/**
 * "MetricData.member.1.Dimensions.member.2.Name=x" → { MetricData: [{ Dimensions: [_, { Name: 'x' }] }] }.
 * The tree is built of null-prototype objects: a parameter named "__proto__.x" or
 * "constructor.prototype.x" is then an ordinary (ignored) key, never a path into Object.prototype.
 */
export function unflattenQuery(form: URLSearchParams): Input {
  const root: Input = Object.create(null);
  for (const [name, value] of form) {
    const parts = name.split('.');
    let node: Input = root;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) {
        node[part] = value;
      } else {
        const existing = Object.hasOwn(node, part) ? node[part] : undefined;
        const next: Input = isObject(existing) ? existing : Object.create(null);
        node[part] = next;
        node = next;
      }
    }
  }
  return arraysFromMembers(root) as Input;
}

/** Turns each { member: { 1: a, 2: b } } into [a, b]; objects come out with own data properties only. */
function arraysFromMembers(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'member' && isObject(value.member)) {
    return Object.entries(value.member)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => arraysFromMembers(item));
  }
  // Object.fromEntries defines properties (no __proto__ setter), so "__proto__" stays a plain key.
  return Object.fromEntries(keys.map((key) => [key, arraysFromMembers(value[key])]));
}
