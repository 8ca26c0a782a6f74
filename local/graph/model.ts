/**
 * The drawable shape of an ASL definition, shared by the SVG and Mermaid renderers: states with
 * the lines of text their box shows, and the transitions between them. Nothing here quotes a
 * Resource or a Parameters value, so no ARN (real or `${Placeholder}`) can reach a label.
 */

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface GraphNode {
  name: string;
  type: string;
  /** The type as the console names it, e.g. "Task · lambda:invoke" or "Distributed Map". */
  subtitle: string;
  /** One short line per retrier, e.g. "retry: ChunkThrottledError ×6". */
  retries: string[];
  /** The full text (comment, every retried error) for a tooltip. */
  details: string;
  terminal: boolean;
  /** A Map's ItemProcessor (or Iterator). */
  inner?: GraphModel;
}

export interface GraphModel {
  startAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Obj = Record<string, unknown>;

const asObject = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asStrings = (value: unknown): string[] =>
  asArray(value).filter((v): v is string => typeof v === 'string');

const OPERATORS: Record<string, string> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
  Matches: 'matches',
};

/** A Choice rule as a short readable condition: `$.round.next == "requeue"`. */
export function describeCondition(rule: Obj): string {
  if (typeof rule.Condition === 'string') return rule.Condition;
  const and = asArray(rule.And).map((r) => describeCondition(asObject(r) ?? {}));
  if (and.length) return and.map((c) => `(${c})`).join(' and ');
  const or = asArray(rule.Or).map((r) => describeCondition(asObject(r) ?? {}));
  if (or.length) return or.map((c) => `(${c})`).join(' or ');
  const not = asObject(rule.Not);
  if (not) return `not (${describeCondition(not)})`;
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    const typeTest = /^Is(\w+)$/.exec(key);
    if (typeTest) return `${variable} ${value === false ? 'is not' : 'is'} ${typeTest[1]?.toLowerCase()}`;
    const op = /^(String|Numeric|Boolean|Timestamp)(\w+?)(Path)?$/.exec(key);
    if (!op) continue;
    const symbol = OPERATORS[op[2] ?? ''] ?? op[2];
    return `${variable} ${symbol} ${op[3] ? String(value) : JSON.stringify(value)}`;
  }
  return variable;
}

/**
 * Long lists of service errors (the four Lambda.* ones) would make a box wider than the graph, so
 * errors sharing a dotted prefix are counted instead of listed; the tooltip keeps the full list.
 */
export function shortErrors(errors: string[]): string {
  const prefixes = new Set(errors.map((e) => (e.includes('.') ? e.slice(0, e.indexOf('.')) : '')));
  const [prefix] = prefixes;
  if (errors.length > 2 && prefixes.size === 1 && prefix) return `${errors.length} ${prefix}.* errors`;
  return errors.join(', ');
}

function subtitleOf(state: Obj): string {
  const type = String(state.Type ?? '?');
  if (type === 'Map') {
    const config = asObject(asObject(state.ItemProcessor)?.ProcessorConfig);
    return config?.Mode === 'DISTRIBUTED' ? 'Distributed Map' : 'Map';
  }
  // Only optimised integrations are named (lambda:invoke); any other Resource is an ARN and stays hidden.
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  if (type === 'Task' && resource.startsWith('arn:aws:states:::')) {
    return `Task · ${resource.slice('arn:aws:states:::'.length).replace(/\.(sync|waitForTaskToken)(:\d+)?$/, '')}`;
  }
  return type;
}

export function buildModel(definition: object): GraphModel {
  const root = definition as Obj;
  const states = asObject(root.States) ?? {};
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [name, value] of Object.entries(states)) {
    const state = asObject(value) ?? {};
    const type = String(state.Type ?? '?');
    const retriers = asArray(state.Retry).map((r) => asObject(r) ?? {});
    const retries = retriers.map(
      (r) =>
        `retry: ${shortErrors(asStrings(r.ErrorEquals))} ×${typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3}`,
    );
    const details = [
      `${name} (${subtitleOf(state)})`,
      typeof state.Comment === 'string' ? state.Comment : '',
      ...retriers.map(
        (r) => `Retry ${asStrings(r.ErrorEquals).join(', ')} up to ${r.MaxAttempts ?? 3} times`,
      ),
      ...asArray(state.Catch).map((c) => `Catch ${asStrings(asObject(c)?.ErrorEquals).join(', ')}`),
    ].filter(Boolean);
    const processor = asObject(state.ItemProcessor) ?? asObject(state.Iterator);
    nodes.push({
      name,
      type,
      subtitle: subtitleOf(state),
      retries,
      details: details.join('\n'),
      terminal: state.End === true || type === 'Succeed' || type === 'Fail',
      ...(processor ? { inner: buildModel(processor) } : {}),
    });
    if (typeof state.Next === 'string') edges.push({ from: name, to: state.Next, kind: 'next' });
    for (const choice of asArray(state.Choices)) {
      const rule = asObject(choice) ?? {};
      if (typeof rule.Next === 'string') {
        edges.push({ from: name, to: rule.Next, kind: 'choice', label: describeCondition(rule) });
      }
    }
    if (typeof state.Default === 'string') {
      edges.push({ from: name, to: state.Default, kind: 'default', label: 'Default' });
    }
    for (const catcher of asArray(state.Catch)) {
      const rule = asObject(catcher) ?? {};
      if (typeof rule.Next === 'string') {
        const errors = asStrings(rule.ErrorEquals).join(', ');
        edges.push({ from: name, to: rule.Next, kind: 'catch', label: `Catch: ${errors}` });
      }
    }
  }
  return { startAt: typeof root.StartAt === 'string' ? root.StartAt : (nodes[0]?.name ?? ''), nodes, edges };
}

/** Every state at any depth, Map children included. */
export function allNodes(model: GraphModel): GraphNode[] {
  return model.nodes.flatMap((node) => [node, ...(node.inner ? allNodes(node.inner) : [])]);
}
