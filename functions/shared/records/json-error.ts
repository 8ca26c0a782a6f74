/**
 * Why JSON.parse refused a record, in words that carry none of the record's content. V8's own message
 * quotes the record (`Unexpected token 'a', "alice,123-"... is not valid JSON`), and reject reasons go
 * to the logs (CloudWatch Logs on AWS); the record's bytes belong in the rejects file only.
 */

/** V8's message prefix (Node 20 and 22 word them alike) → the kind of error, in our words. */
const KINDS: readonly (readonly [string, string])[] = [
  ['Unexpected end of JSON input', 'unexpected end of input'],
  ['Unexpected token', 'unexpected character'],
  ['Unexpected non-whitespace character after JSON', 'more data after the JSON value'],
  ["Expected property name or '}'", "expected a property name or '}'"],
  ['Expected double-quoted property name', 'expected a double-quoted property name'],
  ["Expected ':' after property name", "expected ':' after a property name"],
  ["Expected ',' or '}' after property value", "expected ',' or '}' after a property value"],
  ["Expected ',' or ']' after array element", "expected ',' or ']' after an array element"],
  ['Unterminated string', 'unterminated string'],
  ['Bad control character in string literal', 'control character in a string'],
  ['Bad escaped character', 'bad escape in a string'],
  ['Bad Unicode escape', 'bad \\u escape in a string'],
  ['No number after minus sign', 'no digits after a minus sign'],
  ['Exponent part is missing a number', 'no digits in an exponent'],
  ['Unterminated fractional number', 'no digits after a decimal point'],
];
const UNKNOWN_KIND = 'syntax error';
const UNEXPECTED_TOKEN = 'Unexpected token';
const POSITION = / at position (\d+)/;

/**
 * "unexpected character at position 12": the kind, and where in the record as the rejects file's
 * excerpt shows it (whitespace outside strings already dropped), counted in UTF-16 units as V8 counts.
 */
export function describeJsonError(text: string, message: string): string {
  const kind = KINDS.find(([prefix]) => message.startsWith(prefix))?.[1] ?? UNKNOWN_KIND;
  const given = message.match(POSITION)?.[1];
  const position = given !== undefined ? Number(given) : locateUnexpected(text, message);
  return position === undefined ? kind : `${kind} at position ${position}`;
}

/**
 * V8 leaves the position out of "Unexpected token" messages. A prefix of the record that holds the bad
 * character fails with that same message (the parser reads it the same way up to there); a shorter
 * one fails for running out of input instead. So a binary search over prefix lengths finds the
 * character in about log2(length) parses, paid only for rejects.
 */
function locateUnexpected(text: string, message: string): number | undefined {
  if (!message.startsWith(UNEXPECTED_TOKEN)) return undefined;
  const reachesIt = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      return (error as Error).message.startsWith(UNEXPECTED_TOKEN);
    }
  };
  let low = 1;
  let high = text.length;
  if (!reachesIt(high)) return undefined;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (reachesIt(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}
