import type { EngineEventShape } from '../../../functions/shared/run';
import { LOCAL_ITEMS_KEY, LOCAL_RESULTS_KEY } from './state-keys';

/**
 * What events.jsonl keeps of an engine event: every Map iteration event carries its Map's whole input,
 * and the lowered Map's state holds the item list, so writing them as they are grows with the square
 * of the chunk count (gigabytes at a million records). Names, types, indexes and errors are kept.
 */
export function compactEvent(event: EngineEventShape): EngineEventShape {
  const slim = (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const {
      [LOCAL_ITEMS_KEY]: items,
      [LOCAL_RESULTS_KEY]: results,
      ...rest
    } = value as Record<string, unknown>;
    const count = (list: unknown) => (Array.isArray(list) ? list.length : undefined);
    return items || results ? { ...rest, localMapItemCount: count(items ?? results) } : value;
  };
  const { parentState, state, ...rest } = event;
  return {
    ...rest,
    ...(parentState
      ? { parentState: { name: parentState.name, type: parentState.type, input: undefined } }
      : {}),
    ...(state ? { state: { ...state, input: slim(state.input), output: slim(state.output) } } : {}),
  };
}
