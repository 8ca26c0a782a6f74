import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { MetricStore } from './cloudwatch/metric-store';
import { openPersistentMetricStore, type PersistentMetricStore } from './cloudwatch/persistent-store';
import { CloudWatchProtocol, CloudWatchService } from './cloudwatch/service';
import { acquireDataLock, type DataLock } from './data-lock';
import type { CrashPoint } from './firehose/delivery';
import type { FirehoseLimits } from './firehose/limits';
import {
  type FaultSettings as FirehoseFaultSettings,
  type FirehoseQuotas,
  FirehoseService,
} from './firehose/service';
import type { RequestContext } from './http/util';
import { Route, routeRequest } from './router';
import type { S3FaultSettings } from './s3/faults';
import { DEFAULT_CONTENT_TYPE } from './s3/object-meta';
import { newRequestId, S3Service } from './s3/service';
import { S3Store } from './s3/store';

/**
 * Local S3, Firehose and CloudWatch on one 127.0.0.1 port, wire-compatible with the AWS SDKs and
 * CLI pointed at it with AWS_ENDPOINT_URL / --endpoint-url.
 */

export type { FirehoseQuotas } from './firehose/service';
export type { S3FaultSettings } from './s3/faults';

/** Firehose faults (entries, requests, latency) and S3 read faults, one seed for both. */
export type FaultSettings = FirehoseFaultSettings & S3FaultSettings;

export interface LocalServicesOptions {
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  region?: string;
  quotas?: Partial<FirehoseQuotas>;
  faults?: Partial<FaultSettings>;
  /** The AWS limits Firehose enforces; pass the values your code respects (default: AWS's, `DEFAULT_FIREHOSE_LIMITS`). */
  limits?: Partial<FirehoseLimits>;
  /** CloudWatch datapoints become visible this long after they are put (CloudWatch lags 1-3 minutes). */
  metricPublishDelayMs?: number;
  /**
   * CloudWatch keeps every accepted datapoint in `<dataDir>/cloudwatch/` across restarts, with
   * CloudWatch's retention (default true). False: in memory only, gone when the services stop.
   */
  keepMetrics?: boolean;
  /** A new delivery stream is CREATING this long before it is ACTIVE (default 250 ms; AWS takes longer). */
  streamCreatingMs?: number;
  /**
   * Firehose fsyncs its buffer file before it answers (default true). False keeps the file (records
   * survive kill -9, not a power cut): only to measure what the fsync costs.
   */
  syncFirehoseBuffer?: boolean;
  /** The process that started these services (the local runner): the data folder's lock names it too. */
  parentPid?: number;
  /** Tests only: the process kills itself with SIGKILL at this point of a Firehose delivery. */
  crashAt?: CrashPoint;
}

export interface LocalServices {
  endpoint: string;
  port: number;
  setFaults(f: Partial<FaultSettings>): void;
  setQuotas(q: Partial<FirehoseQuotas>): void;
  /** Delivers every buffered Firehose record to S3 now. */
  flush(): Promise<void>;
  /**
   * Stores a file of this machine as an object, as an upload would but without HTTP and the SDK:
   * how the local runner stages its input. Returns the object's ETag.
   */
  putFile(bucket: string, key: string, file: string): Promise<string>;
  /** Stops taking requests, lets those in flight finish, then flushes: nothing accepted is lost. */
  stop(): Promise<void>;
}

const DEFAULT_REGION = 'us-east-1';
// Node's default limit on the request line and headers together (http.maxHeaderSize), stated here
// because answerClientError depends on it; S3 itself allows 8 KB of PUT headers (S3 user guide,
// "Working with object metadata"), so a valid AWS request always fits.
const MAX_HEADER_BYTES = 16 * 1024;
// How long stop() waits for requests in flight before cutting connections.
const STOP_GRACE_MS = 5000;

/**
 * Requests Node cannot parse never reach a handler. Headers over the limit get 431 (RFC 6585) and any
 * other malformed request 400, then the connection closes: an SDK does not retry a 4xx, and a client
 * that hung up (nothing left to write to) must not take the server down.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const code = tooLarge ? 'RequestHeaderSectionTooLarge' : 'BadRequest';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>`;
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** A request target that is no URL at all ("http://[" as the path): S3's 400 InvalidURI. */
function answerUnparsable(res: ServerResponse): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidURI</Code></Error>`;
  res.writeHead(400, {
    'content-type': 'application/xml',
    'content-length': body.length,
    connection: 'close',
  });
  res.end(body);
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  // Before anything in the folder is read or written: a second owner is refused untouched.
  const lock = await acquireDataLock(options.dataDir, options.parentPid);
  try {
    return await startOnFolder(options, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

// Over 60 lines on purpose: it starts the stores, the three services and the server in order, and each
// step that fails undoes the ones before it; the order and its undo read best in one place.
async function startOnFolder(options: LocalServicesOptions, lock: DataLock): Promise<LocalServices> {
  const region = options.region ?? DEFAULT_REGION;
  const store = new S3Store(options.dataDir);
  await store.init();
  const delayMs = options.metricPublishDelayMs ?? 0;
  const persistent: PersistentMetricStore =
    (options.keepMetrics ?? true)
      ? await openPersistentMetricStore(options.dataDir, delayMs)
      : { store: new MetricStore(delayMs), close: () => undefined };
  const metrics = persistent.store;
  const firehose = new FirehoseService(store, metrics, {
    region,
    dataDir: options.dataDir,
    quotas: options.quotas,
    faults: options.faults,
    limits: options.limits,
    streamCreatingMs: options.streamCreatingMs,
    buffering: { sync: options.syncFirehoseBuffer ?? true, crashAt: options.crashAt },
  });
  await firehose.init().catch((error: unknown) => {
    closeQuietly(persistent);
    throw error;
  });
  const s3 = new S3Service(store, region, options.faults ?? {});
  const cloudwatch = new CloudWatchService(metrics);

  const handle = requestHandler(s3, firehose, cloudwatch);
  const server = createServer({ keepAliveTimeout: 30_000, maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);

  await listen(server, options.port ?? 0).catch(async (error: unknown) => {
    // Replayed deliveries may be under way: finish them before the lock goes.
    await firehose.stop().catch(() => undefined);
    closeQuietly(persistent);
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  await lock.setEndpoint(`http://127.0.0.1:${port}`);

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await closeServer(server);
    // Every accepted record was buffered before its response was sent, so this flush gets them all.
    await firehose.stop();
    try {
      // After Firehose's last deliveries, whose DeliveryToS3 metrics are among the datapoints kept.
      persistent.close();
    } finally {
      await lock.release();
    }
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setFaults: (faults) => {
      firehose.setFaults(faults);
      s3.setFaults(faults);
    },
    setQuotas: (quotas) => firehose.setQuotas(quotas),
    flush: () => firehose.flush(),
    putFile: async (bucket, key, file) => (await store.putFile(bucket, key, file, DEFAULT_CONTENT_TYPE)).etag,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** On a failed start: the start's own error is the one to report. */
function closeQuietly(persistent: PersistentMetricStore): void {
  try {
    persistent.close();
  } catch {
    // The failed start reports its own error, not this one.
  }
}

/** Sends each request to the service it is for (router.ts). */
function requestHandler(
  s3: S3Service,
  firehose: FirehoseService,
  cloudwatch: CloudWatchService,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const target = req.url ?? '/';
    const url = URL.parse(target, 'http://127.0.0.1');
    if (!url) return answerUnparsable(res);
    const query = target.indexOf('?');
    const rawPath = query < 0 ? target : target.slice(0, query);
    const ctx: RequestContext = { req, res, url, rawPath, requestId: newRequestId() };
    switch (routeRequest(req, url)) {
      case Route.s3:
        return s3.handle(ctx);
      case Route.firehose:
        return firehose.handle(ctx);
      case Route.cloudwatchJson:
        return cloudwatch.handle(ctx, CloudWatchProtocol.json);
      case Route.cloudwatchQuery:
        return cloudwatch.handle(ctx, CloudWatchProtocol.query);
    }
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops taking connections; idle keep-alive ones close at once, busy ones finish their request first. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive connections would hold close() open; busy ones finish their request first.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const cutoff = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweep);
  clearTimeout(cutoff);
}
