import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OrchaError } from '@orcha/model';

export interface ToolOutcome {
  /** The result as the transcript shows it: text content, or the structured content as JSON. */
  output: string;
  isError: boolean;
  /** structuredContent if present, else the text content parsed as JSON, else the text. */
  value: unknown;
}

/**
 * How many tool calls run at once, as in the real CLIs (Claude Code runs at most 10 of a model's parallel
 * tool calls at a time); the rest wait their turn. A script may still fire a thousand at once.
 */
const concurrentCalls = 10;

/**
 * One MCP client per fake run, connected on the first tool call (a run that calls no tool opens no
 * connection) and closed when the run ends.
 */
export class FakeMcpConnection {
  private client: Promise<Client> | undefined;
  private running = 0;
  private readonly turns: (() => void)[] = [];

  constructor(private readonly endpoint: { url: string; token: string } | undefined) {}

  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
    await this.turn();
    try {
      return await this.send(name, args, signal);
    } finally {
      this.running--;
      this.turns.shift()?.();
    }
  }

  /** Waits for one of the `concurrentCalls` places. */
  private async turn(): Promise<void> {
    if (this.running >= concurrentCalls) await new Promise<void>((resolve) => this.turns.push(resolve));
    this.running++;
  }

  private async send(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
    const client = await this.connect();
    const result = await client.callTool({ name, arguments: args }, undefined, { signal });
    const content = Array.isArray(result.content) ? result.content : [];
    const text = content
      .flatMap((part: { type: string; text?: string }) => (part.type === 'text' ? [part.text ?? ''] : []))
      .join('\n');
    const structured = result.structuredContent;
    const output = text || (structured === undefined ? '' : JSON.stringify(structured));
    return { output, isError: result.isError === true, value: structured ?? parseJson(text) };
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (!pending) return;
    const client = await pending.catch(() => undefined);
    if (!client) return;
    const transport = client.transport as StreamableHTTPClientTransport | undefined;
    // End the server-side session too, as the real CLIs do when they exit.
    await transport?.terminateSession().catch(() => {});
    await client.close().catch(() => {});
  }

  private connect(): Promise<Client> {
    if (this.client) return this.client;
    const endpoint = this.endpoint;
    if (!endpoint) {
      return Promise.reject(new OrchaError('invalid_argument', 'this run has no MCP endpoint (spec.mcp)'));
    }
    const client = new Client({ name: 'orcha-fake-agent', version: '0.1.0' });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
      requestInit: { headers: { Authorization: `Bearer ${endpoint.token}` } },
    });
    const pending = client.connect(transport).then(() => client);
    this.client = pending;
    // A failed connect is retried by the next call rather than remembered.
    pending.catch(() => {
      if (this.client === pending) this.client = undefined;
    });
    return pending;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
