/** Talks to the console server: the session token (from the page) goes on every state-changing request. */
const token = document.querySelector<HTMLMetaElement>('meta[name="console-token"]')?.content ?? '';

/** `console --aws` serves executions on AWS read-only: no start form, no buttons that change anything. */
export const READ_ONLY =
  document.querySelector<HTMLMetaElement>('meta[name="console-mode"]')?.content === 'aws';

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-token': token },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Server-sent events by name; returns what closes the stream. */
export function listen(path: string, handlers: Record<string, (data: unknown) => void>): () => void {
  const source = new EventSource(path);
  for (const [name, handle] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handle(JSON.parse((event as MessageEvent<string>).data)));
  }
  return () => source.close();
}
