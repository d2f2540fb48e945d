import {
  budgetLimitsSchema,
  doctorReportSchema,
  guardCountersSchema,
  type Objective,
  type PullRequest,
  type Question,
  type Session,
  type Target,
  targetHealthSchema,
  usageSchema,
  type WaitingSession,
  type Workspace,
} from '@orcha/model';
import { z } from 'zod';
import { parseColumn } from './database.js';
import type * as schema from './schema.js';

/** Row → entity mappers. Text columns holding unions are trusted (only the store writes them, validated). */
const idList = z.array(z.string());
const stringList = z.array(z.string());

function toBudget(text: string | null) {
  return text === null ? null : parseColumn(budgetLimitsSchema, text, 'budget');
}

export function toObjective(row: typeof schema.objectives.$inferSelect): Objective {
  return { ...row, budget: toBudget(row.budget) } as Objective;
}

export function toSession(row: typeof schema.sessions.$inferSelect): Session {
  const { tokenHash: _tokenHash, ...rest } = row;
  return {
    ...(rest as unknown as Omit<Session, 'dependsOn' | 'usage' | 'counters'>),
    dependsOn: parseColumn(idList, row.dependsOn, 'dependsOn'),
    usage: parseColumn(usageSchema, row.usage, 'usage'),
    counters: parseColumn(guardCountersSchema, row.counters, 'counters'),
    budget: toBudget(row.budget),
  } as Session;
}

/** A row of the scheduler's queue read: its dependencies parsed, and only when it has any. */
export function toWaitingSession(
  row: Omit<WaitingSession, 'dependsOn'> & { dependsOn: string },
): WaitingSession {
  return { ...row, dependsOn: row.dependsOn === '[]' ? [] : parseColumn(idList, row.dependsOn, 'dependsOn') };
}

export function toTarget(row: typeof schema.targets.$inferSelect): Target {
  return {
    ...(row as unknown as Target),
    doctor: row.doctor === null ? null : parseColumn(doctorReportSchema, row.doctor, 'doctor'),
    health: row.health === null ? null : parseColumn(targetHealthSchema, row.health, 'health'),
  };
}

export function toWorkspace(row: typeof schema.workspaces.$inferSelect): Workspace {
  return row as Workspace;
}

export function toPullRequest(row: typeof schema.pullRequests.$inferSelect): PullRequest {
  return row as PullRequest;
}

export function toQuestion(row: typeof schema.questions.$inferSelect): Question {
  return { ...(row as unknown as Question), options: parseColumn(stringList, row.options, 'options') };
}
