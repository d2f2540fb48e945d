import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeGemini,
  geminiPendingResponses,
  geminiReply,
  geminiUserTexts,
  startFakeGemini,
} from './gemini-server.js';

let server: FakeGemini | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const post = (path: string, body: unknown) =>
  fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'fake' },
    body: JSON.stringify(body),
  });

interface Answer {
  candidates: { content: { parts: unknown[] } }[];
  error?: unknown;
}
const json = async (response: Response) => (await response.json()) as Answer;

describe('fake Gemini API', () => {
  it('streams a text answer as SSE data events, the last one with finishReason and usage', async () => {
    server = await startFakeGemini({ handler: () => geminiReply.text('hello there') });
    const response = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', {
      contents: [{ role: 'user', parts: [{ text: 'context' }, { text: 'say hello there' }] }],
      tools: [{ functionDeclarations: [{ name: 'mcp_orcha_echo' }, { name: 'read_file' }] }],
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const frames = (await response.text())
      .split('\r\n\r\n')
      .filter((frame) => frame.startsWith('data: '))
      .map((frame) => JSON.parse(frame.slice(6)));
    const texts = frames.map((frame) => frame.candidates[0].content.parts[0].text);
    expect(texts.join('')).toBe('hello there');
    expect(frames.at(-1).candidates[0].finishReason).toBe('STOP');
    expect(frames[0].candidates[0].finishReason).toBeUndefined();
    expect(frames.at(-1).usageMetadata).toMatchObject({ promptTokenCount: 12, candidatesTokenCount: 3 });
    const [seen] = server.requests;
    expect(seen).toMatchObject({ model: 'gemini-2.5-flash', method: 'streamGenerateContent' });
    expect(seen?.headers['x-goog-api-key']).toBe('fake');
    expect(seen?.functions).toEqual(['mcp_orcha_echo', 'read_file']);
    expect(geminiUserTexts(seen!)).toEqual(['context\nsay hello there']);
  });

  it('calls functions, reads their responses, answers errors in Google shape and 404s elsewhere', async () => {
    server = await startFakeGemini({
      handler: (request) =>
        geminiPendingResponses(request).length
          ? geminiReply.text('done')
          : request.model === 'bad'
            ? geminiReply.authError()
            : geminiReply.call('mcp_orcha_echo', { text: 'ping' }),
    });
    const call = await post('/v1beta/models/m:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'go' }] }],
    });
    expect((await json(call)).candidates[0]?.content.parts).toEqual([
      { functionCall: { name: 'mcp_orcha_echo', args: { text: 'ping' } } },
    ]);
    const followUp = {
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { name: 'mcp_orcha_echo', args: { text: 'ping' } } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'mcp_orcha_echo', response: { output: 'echo: ping' } } }],
        },
      ],
    };
    const answer = await post('/v1beta/models/m:generateContent', followUp);
    expect((await json(answer)).candidates[0]?.content.parts).toEqual([{ text: 'done' }]);
    expect(geminiUserTexts(server.requests[1]!)).toEqual(['go']);
    const refused = await post('/v1beta/models/bad:generateContent', {
      contents: followUp.contents.slice(0, 1),
    });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({
      code: 400,
      message: expect.stringMatching(/API key/),
    });
    expect((await post('/v1/other', {})).status).toBe(404);
  });
});
