/**
 * The local counterpart of the Step Functions console's graph inspector: the definition in
 * statemachine/ drawn as SVG or Mermaid, optionally coloured by a local run's events.
 */
export { renderMermaid } from './mermaid';
export {
  type GraphRunInfo,
  runInfoFromEvents,
  type StateOutcome,
  type StateStats,
  statsFromEvents,
} from './stats';
export { renderSvg } from './svg';
