import * as acp from '@agentclientprotocol/sdk';
import type { Executor } from '@orcha/exec';
import type { DoctorCheck } from '@orcha/model';

/**
 * The doctor's check of one ACP agent on a target: the binary starts and answers `initialize`; the detail
 * shows what it advertises (protocol, resume/load, MCP over HTTP). `note` is appended (a known caveat).
 */
export async function checkAcpAgent(
  executor: Executor,
  agent: {
    name: string;
    command: string;
    args: readonly string[];
    env: Record<string, string>;
    note?: string;
  },
  timeoutMs = 30_000,
): Promise<DoctorCheck> {
  const commandLine = [agent.command, ...agent.args].join(' ');
  const failed = (detail: string): DoctorCheck => ({
    name: agent.name,
    ok: false,
    required: false,
    detail,
    fix: `install ${agent.command} on this target, or fix its command: \`${commandLine}\` must start an Agent Client Protocol agent on stdio`,
  });
  let handle: Awaited<ReturnType<Executor['spawn']>>;
  try {
    handle = await executor.spawn(agent.command, agent.args, { env: agent.env, killGraceMs: 1000 });
  } catch (error) {
    return failed(
      `${agent.command} did not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const stdout = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for await (const chunk of handle.stdout) controller.enqueue(chunk);
      } catch {
        // the process's end is seen below
      }
      controller.close();
    },
  });
  void (async () => {
    for await (const _ of handle.stderr) {
      // drained so the agent never blocks on a full pipe
    }
  })().catch(() => {});
  const connection = acp
    .client({ name: 'orcha-doctor' })
    .connect(acp.ndJsonStream(new WritableStream({ write: (chunk) => handle.write(chunk) }), stdout));
  let timer: NodeJS.Timeout | undefined;
  try {
    const init = await Promise.race([
      connection.agent.request('initialize', {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'orcha', version: '0.1.0' },
      }),
      handle.wait().then((status) => {
        throw new Error(`exited with code ${status.code} before answering initialize`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to initialize in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const caps = init.agentCapabilities;
    const resume = caps?.sessionCapabilities?.resume
      ? 'session/resume'
      : caps?.loadSession
        ? 'session/load'
        : 'no resume';
    const who = init.agentInfo ? `${init.agentInfo.name} ${init.agentInfo.version}` : agent.command;
    const parts = [
      `${who} answers initialize: protocol ${init.protocolVersion}`,
      resume,
      caps?.mcpCapabilities?.http ? 'MCP over HTTP' : 'no MCP over HTTP (orcha tools unreachable)',
      ...(agent.note ? [agent.note] : []),
    ];
    return {
      name: agent.name,
      ok: init.protocolVersion === acp.PROTOCOL_VERSION && caps?.mcpCapabilities?.http === true,
      required: false,
      detail: parts.join('; '),
      fix:
        init.protocolVersion !== acp.PROTOCOL_VERSION
          ? `${agent.command} speaks ACP protocol ${init.protocolVersion}, orcha ${acp.PROTOCOL_VERSION}: update it`
          : caps?.mcpCapabilities?.http
            ? null
            : `${agent.command} cannot reach MCP servers over HTTP, so it cannot use orcha's tools: update it`,
    };
  } catch (error) {
    // A process that dies at once makes the first write fail (EPIPE) before its exit is seen: its exit
    // code says more than the broken pipe.
    const exited = await Promise.race([
      handle.wait().then((status) => `exited with code ${status.code} before answering initialize`),
      new Promise<null>((resolve) => setTimeout(resolve, 2000, null).unref()),
    ]);
    const reason = exited ?? (error instanceof Error ? error.message : String(error));
    return failed(`\`${commandLine}\`: ${reason}`);
  } finally {
    clearTimeout(timer);
    connection.close();
    await handle.kill().catch(() => {});
  }
}
