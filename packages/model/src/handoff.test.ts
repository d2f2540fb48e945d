import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TranscriptKind } from './entities.js';
import { buildHandoff, clipMiddle, estimateTokens, type HandoffInput, handoffTokenLimit } from './handoff.js';
import { assertProperty } from './testing/property.js';

const base: HandoffInput = {
  title: 'Add a greeting',
  task: 'Write hello.txt with a greeting, then add a test for it.',
  role: 'worker',
  from: 'claude',
  to: 'codex',
  reason: "claude's usage is exhausted until 2026-12-02T05:00:00.000Z",
  messages: [
    { kind: 'assistant', text: 'I will write the file first.', data: null },
    { kind: 'tool_call', text: 'Bash {"command":"printf hello > hello.txt"}', data: null },
    { kind: 'tool_result', text: '', data: null },
    { kind: 'error', text: 'usage_exhausted: You have hit your limit', data: null },
    { kind: 'system', text: 'the earlier handoff', data: { type: 'handoff' } },
  ],
  workspace: {
    path: '/work/ses_1',
    branch: 'orcha/add-a-greeting',
    baseBranch: 'main',
    status: '?? hello.txt',
    diffStat: ' hello.txt | 1 +\n 1 file changed, 1 insertion(+)',
    commits: 'abc1234 Add a greeting',
  },
  pending: ['Also say goodbye.'],
};

describe('buildHandoff', () => {
  it('tells the new agent the task, the switch, the workspace, what was done and the last messages', () => {
    const prompt = buildHandoff(base);
    expect(prompt).toContain('running on claude');
    expect(prompt).toContain('to you (codex)');
    expect(prompt).toContain('usage is exhausted');
    expect(prompt).toContain('## The task: Add a greeting\nWrite hello.txt with a greeting');
    expect(prompt).toContain('/work/ses_1, a git checkout on the branch orcha/add-a-greeting (from main)');
    expect(prompt).toContain('?? hello.txt');
    expect(prompt).toContain('1 file changed');
    expect(prompt).toContain('abc1234 Add a greeting');
    expect(prompt).toContain('- Bash {"command":"printf hello > hello.txt"}');
    expect(prompt).toContain('[agent] I will write the file first.');
    expect(prompt).toContain('[error] usage_exhausted');
    expect(prompt).toContain('- Also say goodbye.');
    // An earlier handoff is not handed on again.
    expect(prompt).not.toContain('the earlier handoff');
  });

  it('says so when the workspace is not a git checkout, and leaves out what is absent', () => {
    const prompt = buildHandoff({
      ...base,
      messages: [],
      pending: [],
      workspace: { ...base.workspace!, branch: null, status: null },
    });
    expect(prompt).toContain('not a git checkout');
    expect(prompt).not.toContain('What was done');
    expect(prompt).not.toContain('arrived meanwhile');
  });

  it('keeps the newest of a long history and the start and end of a long task', () => {
    const messages = Array.from({ length: 3_000 }, (_, index) => ({
      kind: 'tool_call' as const,
      text: `Bash {"command":"step ${index}"}`,
      data: null,
    }));
    const task = `BEGIN ${'x'.repeat(50_000)} END`;
    const prompt = buildHandoff({ ...base, task, messages });
    expect(estimateTokens(prompt)).toBeLessThanOrEqual(handoffTokenLimit);
    expect(prompt).toContain('step 2999');
    expect(prompt).not.toContain('"step 0"');
    expect(prompt).toContain('earlier lines left out');
    expect(prompt).toMatch(/BEGIN x+\n… \(\d+ characters left out\) …\nx+ END/);
  });

  it('never exceeds the token limit, whatever the transcript, task and workspace', () => {
    const kind = fc.constantFrom<TranscriptKind>(
      'user',
      'assistant',
      'tool_call',
      'tool_result',
      'system',
      'error',
      'output',
    );
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ minLength: 5_000, maxLength: 30_000 }));
    const lines = fc.array(fc.string({ maxLength: 300 }), { maxLength: 400 }).map((all) => all.join('\n'));
    assertProperty(
      'handoff within the limit',
      fc.property(
        fc.record({
          task: text,
          title: fc.string({ maxLength: 300 }),
          reason: text,
          messages: fc.array(fc.record({ kind, text, data: fc.constant(null) }), { maxLength: 150 }),
          pending: fc.array(text, { maxLength: 10 }),
          status: fc.option(lines),
          diffStat: fc.option(lines),
          commits: fc.option(lines),
          limit: fc.constantFrom(handoffTokenLimit, 1_000, 300),
        }),
        (input) => {
          const prompt = buildHandoff(
            {
              ...base,
              ...input,
              workspace: {
                ...base.workspace!,
                status: input.status,
                diffStat: input.diffStat,
                commits: input.commits,
              },
            },
            input.limit,
          );
          expect(estimateTokens(prompt)).toBeLessThanOrEqual(input.limit);
          expect(prompt).toContain('running on claude');
        },
      ),
      100,
    );
  });
});

describe('clipMiddle', () => {
  it('keeps short texts and clips long ones to the maximum, start and end kept', () => {
    expect(clipMiddle('short', 100)).toBe('short');
    const clipped = clipMiddle(`${'a'.repeat(500)}${'b'.repeat(500)}`, 200);
    expect(clipped.length).toBeLessThanOrEqual(200);
    expect(clipped.startsWith('aaa')).toBe(true);
    expect(clipped.endsWith('bbb')).toBe(true);
  });
});
