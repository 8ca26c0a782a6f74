/**
 * The lowering's own names: the keys it adds to the Map's state (the item list and the children's
 * results, which exist only locally), the stand-in states it inserts and the errors they report. The
 * runner never sees these: map-io.ts serves the stand-ins, compact-event.ts keeps the keys out of
 * events.jsonl, and map-io removes them from the state before the Map's output goes on.
 */
export const LOCAL_ITEMS_KEY = 'localMapItems';
export const LOCAL_RESULTS_KEY = 'localMapResults';

/** The errors a Distributed Map reports when its ItemReader or ResultWriter fails. */
export const ITEM_READER_FAILED = 'States.ItemReaderFailed';
export const RESULT_WRITER_FAILED = 'States.ResultWriterFailed';

export const readItemsStateName = (map: string) => `${map}.ReadItems`;
export const writeResultsStateName = (map: string) => `${map}.WriteResults`;
