import type { FakeAgent, FakeScript } from './fake-provider.js';

/**
 * The provider contract's prompt language, and the fake's default script:
 * `say <words>` answers <words>; `recall` answers every earlier `say` of the conversation; `hang` keeps
 * the turn open until canceled; `crash` fails as a broken model service would; `tool <name> [json]` calls
 * an MCP tool and answers its result as JSON. Anything else is acknowledged with `ok: <first line>`.
 * Interactive runs then wait for the next message; noninteractive runs end with the answer.
 */
export const promptLanguageScript: FakeScript = async (agent) => {
  const earlier = [...agent.history];
  let message = agent.prompt;
  while (true) {
    const answer = await respond(agent, message, earlier);
    earlier.push(message);
    if (agent.interactivity === 'noninteractive') return answer;
    message = await agent.waitForInput(answer);
  }
};

async function respond(agent: FakeAgent, message: string, earlier: readonly string[]): Promise<string> {
  const [command = '', ...rest] = message.trim().split(/\s+/);
  const argument = message.trim().slice(command.length).trim();
  let answer: string;
  if (command === 'say') {
    answer = argument;
  } else if (command === 'recall') {
    answer = earlier.flatMap((said) => sayWords(said) ?? []).join(' ');
  } else if (command === 'hang') {
    return agent.hang();
  } else if (command === 'crash') {
    return agent.fail('the model service failed (scripted crash)', 'crashed');
  } else if (command === 'tool' && rest.length > 0) {
    const [name = '', ...json] = rest;
    const args = json.length ? (JSON.parse(json.join(' ')) as Record<string, unknown>) : {};
    answer = JSON.stringify(await agent.callTool(name, args));
  } else {
    answer = `ok: ${message.trim().split('\n')[0] ?? ''}`;
  }
  agent.usage({ inputTokens: message.length, outputTokens: answer.length, modelCalls: 1 });
  agent.say(answer);
  return answer;
}

function sayWords(message: string): string | undefined {
  const match = /^\s*say\s+([\s\S]*)$/.exec(message);
  return match?.[1]?.trim();
}
