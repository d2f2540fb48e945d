import * as acp from '@agentclientprotocol/sdk';
import type { AgentErrorKind, AgentEvent, AgentExit, AgentRun, AgentSpec } from '@orcha/agent';
import { AsyncQueue, type ProcessHandle } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { type PermissionPolicy, pickOption } from './permission.js';
import { AcpUpdateMapper } from './update-mapper.js';

export interface AcpRunOptions {
  /** The agent's name, for messages. */
  name: string;
  handle: ProcessHandle;
  cwd: string;
  prompt: string;
  mcp?: { url: string; token: string } | undefined;
  /** Continue this ACP session (`session/resume` or `session/load`, whichever the agent advertises). */
  resumeId: string | null;
  permission: PermissionPolicy;
  /** Where the `ask` policy puts the question (the spec's); without it, asking means refusing. */
  askPermission?: AgentSpec['askPermission'];
  /** `session/set_mode` right after the session exists (e.g. Claude's `bypassPermissions`). */
  mode?: string | undefined;
  /** How long cancel waits for the agent to end its turn after `session/cancel` before killing it. */
  cancelGraceMs: number;
  /** Runs right before a `session/load` (Gemini waits out the minute its session was created in). */
  beforeLoad?: ((sessionId: string) => Promise<void>) | undefined;
  /** Told the new session's id once `session/new` answered. */
  onCreated?: ((sessionId: string) => void) | undefined;
  /** Runs once the process is gone, whatever the outcome. */
  cleanup: () => Promise<void>;
}

/** The name orcha's MCP server gets in `session/new`; Gemini calls its tools `mcp_orcha_<tool>`. */
export const mcpServerName = 'orcha';

const stderrKept = 4096;

/**
 * One ACP agent process as an interactive AgentRun. Resolves once the session exists (`initialize`, then
 * `session/new`, `session/resume` or `session/load`); a handshake failure kills the process and rejects.
 * Each prompt is a `session/prompt`; `send` queues another for when the current turn ends.
 */
export async function startAcpRun(options: AcpRunOptions): Promise<AgentRun> {
  const { handle } = options;
  const events = new AsyncQueue<AgentEvent>();
  const mapper = new AcpUpdateMapper();
  const prompts: string[] = [options.prompt];
  /** Aborts every open permission question when the run is canceled or ends. */
  const questions = new AbortController();
  let wakePrompts: (() => void) | undefined;
  let stderr = '';
  let canceling = false;
  let fatal = false;
  let replaying = options.resumeId !== null;
  let turnOpen: Promise<unknown> | null = null;
  let sessionId = '';
  let exit: AgentExit | undefined;

  const stdout = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for await (const chunk of handle.stdout) controller.enqueue(chunk);
      } catch {
        // The process's end is reported by `wait`.
      }
      controller.close();
    },
  });
  const stdin = new WritableStream<Uint8Array>({ write: (chunk) => handle.write(chunk) });
  const readStderr = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of handle.stderr) {
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-stderrKept);
    }
  })().catch(() => {});

  const connection = acp
    .client({ name: 'orcha' })
    .onNotification('session/update', ({ params }) => {
      if (canceling || replaying) return;
      for (const event of mapper.map(params.update)) events.push(event);
    })
    .onRequest('session/request_permission', async ({ params }) => {
      if (canceling) return { outcome: { outcome: 'cancelled' } };
      for (const event of mapper.tool(params.toolCall)) events.push(event);
      let allow = options.permission === 'allow';
      if (options.permission === 'ask' && options.askPermission) {
        const question = {
          id: params.toolCall.toolCallId,
          title: params.toolCall.title ?? params.toolCall.toolCallId,
          input: params.toolCall.rawInput ?? null,
        };
        allow = await options.askPermission(question, questions.signal).catch(() => false);
        if (questions.signal.aborted) return { outcome: { outcome: 'cancelled' } };
      }
      return pickOption(params.options, allow);
    })
    .onNotification('*', () => {
      // Extension notifications (Claude's `_auth/status_update`) carry nothing orcha uses.
    })
    .connect(acp.ndJsonStream(stdin, stdout));
  const agent = connection.agent;
  // The agent's stdout ended: whatever it left behind in its process group (the Claude adapter's `claude`
  // child) goes too, so the run ends instead of waiting on a pipe a child still holds.
  void connection.closed.then(() => {
    if (!canceling) void handle.kill().catch(() => {});
  });

  /** Ends a run that cannot go on: a turn's error or a broken connection. */
  const failFatally = (kind: AgentErrorKind, message: string) => {
    if (canceling || fatal) return;
    fatal = true;
    events.push({ type: 'error', kind, message, resetsAt: null });
    void handle.kill().catch(() => {});
  };

  const finished: Promise<AgentExit> = (async (): Promise<AgentExit> => {
    const status = await handle.wait();
    await readStderr;
    connection.close();
    questions.abort();
    if (canceling) return { type: 'exited', code: status.code, reason: 'canceled' };
    if (fatal) return { type: 'exited', code: status.code, reason: 'failed' };
    const said = stderr.trim();
    const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
    events.push({
      type: 'error',
      kind: 'crashed',
      message: `${options.name} exited unexpectedly (${how})${said ? `: ${said.slice(-1000)}` : ''}`,
      resetsAt: null,
    });
    return { type: 'exited', code: status.code, reason: 'crashed' };
  })()
    .catch((): AgentExit => ({ type: 'exited', code: null, reason: 'crashed' }))
    .then(async (result) => {
      await options.cleanup().catch(() => {});
      exit = result;
      events.push(result);
      events.end();
      return result;
    });

  const mcpServers: acp.McpServer[] = options.mcp
    ? [
        {
          type: 'http',
          name: mcpServerName,
          url: options.mcp.url,
          headers: [{ name: 'Authorization', value: `Bearer ${options.mcp.token}` }],
        },
      ]
    : [];

  let model: string | null = null;
  try {
    const init = await untilExit(
      agent.request('initialize', {
        protocolVersion: acp.PROTOCOL_VERSION,
        // No fs/* or terminal/*: the agents read and write the workspace themselves (acp.md §3).
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'orcha', version: '0.1.0' },
      }),
      finished,
    );
    if (options.resumeId !== null) {
      sessionId = options.resumeId;
      const request = { sessionId, cwd: options.cwd, mcpServers };
      if (init.agentCapabilities?.sessionCapabilities?.resume) {
        const resumed = await untilExit(agent.request('session/resume', request), finished);
        model = currentModel(resumed);
      } else if (init.agentCapabilities?.loadSession) {
        await options.beforeLoad?.(sessionId);
        const loaded = await untilExit(agent.request('session/load', request), finished);
        model = currentModel(loaded);
      } else {
        throw new OrchaError(
          'capability_unsupported',
          `${options.name} advertises neither session/resume nor session/load`,
        );
      }
    } else {
      const created = await untilExit(
        agent.request('session/new', { cwd: options.cwd, mcpServers }),
        finished,
      );
      sessionId = created.sessionId;
      model = currentModel(created);
      options.onCreated?.(sessionId);
    }
    if (options.mode) {
      await untilExit(agent.request('session/set_mode', { sessionId, modeId: options.mode }), finished);
    }
  } catch (error) {
    canceling = true;
    await handle.kill().catch(() => {});
    await finished;
    if (error instanceof OrchaError) throw error;
    const said = stderr.trim();
    throw new OrchaError(
      'unavailable',
      `${options.name} did not start an ACP session: ${describe(error)}${said ? `; stderr: ${said.slice(-1000)}` : ''}`,
    );
  }
  events.push({ type: 'started', providerSessionId: sessionId, model });

  const runTurn = async (text: string) => {
    mapper.beginTurn();
    replaying = false;
    const prompt = agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
    turnOpen = prompt;
    try {
      const response = await prompt;
      if (canceling) return;
      const usage = mapper.turnUsage(response);
      if (usage) events.push(usage);
      if (response.stopReason === 'cancelled') return;
      events.push({
        type: 'turn-complete',
        result: mapper.turnResult,
        isError: response.stopReason !== 'end_turn',
      });
    } catch (error) {
      const message = describe(error);
      failFatally(errorKind(message), `${options.name}: ${message}`);
    } finally {
      turnOpen = null;
    }
  };

  void (async () => {
    while (!exit && !canceling && !fatal) {
      const next = prompts.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => {
          wakePrompts = resolve;
        });
        continue;
      }
      await runTurn(next);
    }
  })();

  return {
    events,
    async send(text) {
      if (exit || canceling || fatal)
        throw new OrchaError('unavailable', `the ${options.name} run has ended`);
      prompts.push(text);
      wakePrompts?.();
    },
    async cancel() {
      if (exit || canceling) {
        await finished;
        return;
      }
      canceling = true;
      wakePrompts?.();
      questions.abort();
      const open = turnOpen;
      if (open) {
        await agent.notify('session/cancel', { sessionId }).catch(() => {});
        await Promise.race([open.catch(() => {}), finished, delay(options.cancelGraceMs)]);
      }
      // SIGTERM to the group, not stdin EOF: Gemini ignores EOF (acp.md §7.2).
      await handle.kill().catch(() => {});
      await finished;
    },
    wait: () => finished,
  };
}

/** Rejects when the process ends before `request` answers (a request to a dead agent never would). */
async function untilExit<T>(request: Promise<T>, finished: Promise<AgentExit>): Promise<T> {
  const ended = finished.then((exit) => {
    throw new Error(`the agent exited (code ${exit.code})`);
  });
  return Promise.race([request, ended]);
}

function currentModel(result: unknown): string | null {
  const models = (result as { models?: { currentModelId?: unknown } | null } | null)?.models;
  return typeof models?.currentModelId === 'string' ? models.currentModelId : null;
}

function describe(error: unknown): string {
  if (error instanceof acp.RequestError) {
    const details = (error.data as { details?: unknown } | undefined)?.details;
    return typeof details === 'string' && details ? `${error.message}: ${details}` : error.message;
  }
  if (error && typeof error === 'object' && 'message' in error) {
    const data = (error as { data?: { details?: unknown } }).data;
    const message = String((error as { message: unknown }).message);
    return typeof data?.details === 'string' ? `${message}: ${data.details}` : message;
  }
  return String(error);
}

/** What kind of failure a turn's error message describes (model services word these freely). */
export function errorKind(message: string): AgentErrorKind {
  if (/usage limit|quota exceeded|exhausted your/i.test(message)) return 'usage_exhausted';
  if (/rate.?limit|\b429\b|too many requests|resource.?exhausted/i.test(message)) return 'rate_limited';
  if (/api key|unauthori[sz]ed|\b401\b|\b403\b|authenticat|credential/i.test(message)) return 'auth';
  return 'other';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
