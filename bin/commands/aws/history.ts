import {
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListMapRunsCommand,
  type MapRunListItem,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { MapRunCounts } from './history-events';

// The API's largest page: a run with many rounds stays a handful of calls.
const HISTORY_PAGE_SIZE = 1000;

/** The whole execution history, oldest first, following nextToken to the last page. */
export async function getExecutionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: HISTORY_PAGE_SIZE,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The execution's Map Runs (one per round), oldest first. */
export async function listMapRuns(sfn: SFNClient, executionArn: string): Promise<MapRunListItem[]> {
  const runs: MapRunListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListMapRunsCommand({ executionArn, ...(nextToken ? { nextToken } : {}) }),
    );
    runs.push(...(page.mapRuns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
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
