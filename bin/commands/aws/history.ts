import {
  DescribeMapRunCommand,
  type HistoryEvent,
  type MapRunListItem,
  paginateGetExecutionHistory,
  paginateListMapRuns,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { MapRunCounts } from './history-events';

// The API's largest page: a run with many rounds stays a handful of calls.
const HISTORY_PAGE_SIZE = 1000;

/** The whole execution history, oldest first, following nextToken to the last page. */
export async function getExecutionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const pages = paginateGetExecutionHistory(
    { client: sfn, pageSize: HISTORY_PAGE_SIZE },
    { executionArn, includeExecutionData: true },
  );
  for await (const page of pages) events.push(...(page.events ?? []));
  return events;
}

/** The execution's Map Runs (one per round), oldest first. */
export async function listMapRuns(sfn: SFNClient, executionArn: string): Promise<MapRunListItem[]> {
  const runs: MapRunListItem[] = [];
  for await (const page of paginateListMapRuns({ client: sfn }, { executionArn })) {
    runs.push(...(page.mapRuns ?? []));
  }
  return runs.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
}

/** A Map Run's child executions by outcome; timed out and aborted children count as failed. */
export async function describeMapRunCounts(sfn: SFNClient, mapRunArn: string): Promise<MapRunCounts> {
  const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  const items = run.itemCounts;
  return {
    succeeded: items?.succeeded ?? 0,
    failed: (items?.failed ?? 0) + (items?.timedOut ?? 0) + (items?.aborted ?? 0),
    running: (items?.running ?? 0) + (items?.pending ?? 0),
    total: items?.total ?? 0,
  };
}
