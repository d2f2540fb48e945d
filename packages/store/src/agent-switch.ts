import { agentNameSchema, OrchaError, type Session, sessionMachine } from '@orcha/model';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toSession } from './rows.js';
import { sessions } from './schema.js';
import type { transcriptQueries } from './transcripts.js';

const switchInput = z.object({ to: agentNameSchema, reason: z.string().min(1).max(2_000) });
export type AgentSwitch = z.infer<typeof switchInput>;

/** Moving a session to another agent (failover, or the person's choice). */
export function agentSwitchQueries(
  ctx: StoreContext,
  appendMessages: ReturnType<typeof transcriptQueries>['appendMessages'],
) {
  return {
    /**
     * In one transaction: the session's agent becomes `to`, its conversation id and terminal are cleared (the
     * new agent starts its own), a system message records the switch in its transcript (with the conversation it
     * leaves), and a `session-agent-switch` event tells the feed. A finished session is refused
     * (`invalid_transition`), as is a switch to the agent it already has (`invalid_argument`).
     */
    switchSessionAgent(id: string, input: AgentSwitch): Session {
      const data = parseInput(switchInput, input, 'agent switch');
      return ctx.write((emit) => {
        const row = ctx.db.select().from(sessions).where(eq(sessions.id, id)).get();
        if (!row) throw new OrchaError('not_found', `no session ${id}`);
        const current = toSession(row);
        if (sessionMachine.isTerminal(current.status))
          throw new OrchaError('invalid_transition', `session ${id} is ${current.status}`);
        if (current.agent === data.to)
          throw new OrchaError('invalid_argument', `session ${id} already runs on ${data.to}`);
        const now = ctx.clock();
        ctx.db
          .update(sessions)
          .set({
            agent: data.to,
            providerSessionId: null,
            attachCommand: null,
            attachName: null,
            updatedAt: now,
          })
          .where(eq(sessions.id, id))
          .run();
        appendMessages(id, [
          {
            at: now,
            kind: 'system',
            text: `continues on ${data.to} (was ${current.agent}): ${data.reason}`,
            data: {
              type: 'agent-switch',
              from: current.agent,
              to: data.to,
              reason: data.reason,
              fromConversationId: current.providerSessionId,
            },
          },
        ]);
        emit({
          type: 'session-agent-switch',
          objectiveId: current.objectiveId,
          sessionId: id,
          from: current.agent,
          to: data.to,
          reason: data.reason,
        });
        return {
          ...current,
          agent: data.to,
          providerSessionId: null,
          attachCommand: null,
          attachName: null,
          updatedAt: now,
        };
      });
    },
  };
}
