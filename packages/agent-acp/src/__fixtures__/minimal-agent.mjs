// A minimal ACP agent on stdio for tests (no model): it answers `say <words>` with <words>, advertises
// neither session/load nor session/resume, and offers no MCP over HTTP.
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';

let sessions = 0;
acp
  .agent({ name: 'minimal' })
  .onRequest('initialize', () => ({
    protocolVersion: acp.PROTOCOL_VERSION,
    agentCapabilities: { loadSession: false },
    agentInfo: { name: 'minimal-agent', version: '1.0.0' },
  }))
  .onRequest('session/new', () => ({ sessionId: `minimal-${++sessions}` }))
  .onRequest('session/prompt', async ({ params, client }) => {
    const text = params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const said = /^say (.*)$/s.exec(text.trim())?.[1] ?? 'ok';
    await client.notify('session/update', {
      sessionId: params.sessionId,
      update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: said } },
    });
    return { stopReason: 'end_turn' };
  })
  .connect(acp.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
