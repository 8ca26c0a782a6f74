import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Browser, Page } from 'playwright-core';
import type { RunningConsole } from '../../../local/console/server/server';
import { succeededHistory } from '../../cli/aws/fixtures';
import { definition, startAwsConsole } from '../aws/aws-console';
import {
  describeMapRun,
  describeSucceeded,
  listExecutionsPage1,
  listMapRunsOf,
  MAP_RUN_ARNS,
  RUN_ID,
} from '../aws/fixtures';
import { launchChromium } from './chromium';

jest.setTimeout(5 * 60_000);

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
let console_: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  sfn.on(ListExecutionsCommand).resolves(listExecutionsPage1);
  sfn.on(DescribeExecutionCommand).resolves(describeSucceeded);
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: succeededHistory() });
  sfn.on(ListMapRunsCommand).resolves(listMapRunsOf(MAP_RUN_ARNS));
  sfn
    .on(DescribeMapRunCommand)
    .callsFake((input: { mapRunArn: string }) => describeMapRun(input.mapRunArn, 3, 0));
  const missing = Object.assign(new Error('NoSuchKey'), {
    name: 'NoSuchKey',
    $metadata: { httpStatusCode: 404 },
  });
  s3.on(GetObjectCommand).rejects(missing);
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  console_ = await startAwsConsole(() => new Date());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await console_?.close();
});

describe('console --aws in Chromium', () => {
  test('lists the executions with AWS console links and no start form; a run page is read-only with Map Run links', async () => {
    await page.goto(console_.url);
    const row = page.locator(`tr[data-run-id="${RUN_ID}"]`);
    await row.locator('.status', { hasText: 'SUCCEEDED' }).waitFor();
    await row.locator('td', { hasText: '2,550' }).first().waitFor();
    expect(await row.locator('a.aws-link').getAttribute('href')).toContain('console.aws.amazon.com');
    expect(await page.locator('a[href="#/new"]').count()).toBe(0);
    await page.locator('#read-only').waitFor();

    await row.locator(`a[href="#/runs/${RUN_ID}"]`).click();
    await page.locator('.run-head .status', { hasText: 'SUCCEEDED' }).waitFor();
    await page.locator('svg.graph .state[data-state="Loaded"][data-outcome="succeeded"]').waitFor();
    expect(await page.locator('#aws-console').getAttribute('href')).toContain('#/v2/executions/details/');
    expect(await page.locator('.actions button').count()).toBe(0);
    await page.click('nav.tabs button[data-tab="map-run"]');
    const links = page.locator('.aws-links a');
    await links.first().waitFor();
    expect(await links.evaluateAll((all) => all.map((a) => a.getAttribute('href')))).toEqual(
      MAP_RUN_ARNS.map((arn) => expect.stringContaining(`#/v2/map-run/details/${arn}`)),
    );
  });
});
