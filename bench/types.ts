/** What every comparison hands to the report: a table, targets with pass/miss, notes and raw data. */

export type Cell = string | number;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Target {
  name: string;
  value: number;
  op: '<=' | '>=';
  limit: number;
  pass: boolean;
}

export interface SectionResult {
  id: string;
  title: string;
  headers: string[];
  rows: Cell[][];
  targets: Target[];
  notes: string[];
  data: JsonValue;
  seconds: number;
  /** When the section was measured, if not in the run that wrote the results (`--only` keeps it). */
  ranAt?: string;
}

export interface BenchContext {
  quick: boolean;
  /** A temp dir of this run; removed at the end. */
  tmp: string;
  log: (line: string) => void;
  /** `--case <id>`: a section with cases runs only this one (development). */
  caseId?: string;
}

export function target(name: string, value: number, op: Target['op'], limit: number): Target {
  const pass = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
  return { name, value, op, limit, pass };
}
