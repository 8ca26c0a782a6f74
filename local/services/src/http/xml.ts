import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const CLOUDWATCH_XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

export type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false });

/**
 * A whole XML document; undefined members and empty arrays are left out, arrays repeat their tag.
 * An empty `xmlns` leaves the attribute out (S3 error documents have none).
 */
export function xmlDocument(root: string, xmlns: string, body: XmlObject): string {
  const content = xmlns === '' ? body : { '@_xmlns': xmlns, ...body };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content })}`;
}

// Tag values stay strings: S3 keys such as "0001" or "1e3" must not turn into numbers, and keys may
// start or end with spaces.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Object' || name === 'Part',
});

/** XML a client sent that cannot be read: S3 answers it with 400 MalformedXML. */
export class XmlSyntaxError extends Error {}

/**
 * fast-xml-parser refuses element names such as "__proto__" and "constructor" (they could reach
 * Object.prototype) by throwing: that is the client's malformed document, not a server fault.
 */
export function parseXml(text: string): XmlObject {
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error));
  }
  return isXmlObject(parsed) ? parsed : {};
}

export function isXmlObject(value: unknown): value is XmlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an element (fast-xml-parser gives a string, or '#text' when the element is mixed). */
export function xmlText(value: XmlValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isXmlObject(value)) return xmlText(value['#text']);
  return undefined;
}
