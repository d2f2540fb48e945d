import { sessionMachine } from '@orcha/model';
import type { Context } from './context.js';
import { workerFinishedMessage } from './prompts.js';
import { steer } from './steering.js';

/**
 * Tells a finished worker's manager that it finished, then records that it was told. A crash between the
 * worker's end and the record leaves the worker in `finishedWorkersUntold`, and the next start tells the
 * manager then (`reconcile`): the manager hears of every worker at least once.
 */
export async function tellManager(ctx: Context, workerId: string): Promise<void> {
  try {
    const worker = ctx.store.getSession(workerId);
    if (worker.role !== 'worker' || !worker.parentId || !sessionMachine.isTerminal(worker.status)) return;
    ctx.probe?.('worker-finished');
    const manager = ctx.store.getSession(worker.parentId);
    const active = ctx.store.getObjective(worker.objectiveId).status === 'active';
    if (active && !sessionMachine.isTerminal(manager.status)) {
      await steer(ctx, manager.id, workerFinishedMessage(worker), 'orcha');
    }
    ctx.store.recordManagerTold(worker.id);
  } catch (error) {
    ctx.log('warn', 'could not tell the manager a worker finished', { workerId, error: String(error) });
  }
}
