import type { OrchaServer } from './server';

/**
 * Reads the server's global change feed from the start, as the ground truth for what the page should
 * have received: every event id up to the latest one at call time.
 */
export async function serverEventIds(server: OrchaServer): Promise<number[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/events?after=0`, { signal: controller.signal });
  if (!response.body) throw new Error('the feed answered without a body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const ids: number[] = [];
  let latest = Number.POSITIVE_INFINITY;
  let buffer = '';
  try {
    while (ids.length === 0 || (ids.at(-1) ?? 0) < latest) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => line.includes(':') && !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
        );
        if (fields.event === 'hello') {
          latest = (JSON.parse(fields.data ?? '{}') as { latestEventId: number }).latestEventId;
          if (latest === 0) return ids;
        } else if (fields.id) ids.push(Number(fields.id));
      }
    }
  } finally {
    controller.abort();
  }
  return ids;
}
