import { idSchema } from '@orcha/model';
import { asc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { leases, replicas } from './schema.js';

/** One `orcha serve` on this database, as its heartbeat row says. */
export interface Replica {
  id: string;
  /** Where it serves the API. */
  address: string;
  startedAt: number;
  heartbeatAt: number;
  /** Whether it holds the leader lease now (unexpired). */
  leader: boolean;
}

/** What a heartbeat found: who leads now and, when this replica does, the fencing token it leads under. */
export interface Leadership {
  leader: string;
  /** This replica's token when it leads; null when another does. */
  token: number | null;
  /** When the lease ends unless renewed (by the database's clock of the writer: the store's clock). */
  expiresAt: number;
}

const heartbeatInput = z.object({
  id: idSchema('replica'),
  address: z.string().min(1).max(500),
  leaseMs: z
    .number()
    .int()
    .min(100)
    .max(10 * 60_000),
});

const fenceInput = z.object({ token: z.number().int().positive(), leaseMs: heartbeatInput.shape.leaseMs });

/** The lease the scheduler runs under. */
const schedulerLease = 'scheduler';

/** Rows of replicas silent this long are dropped by the next heartbeat (the dashboard shows the dead a while). */
const forgetAfterMs = 10 * 60_000;

/**
 * Replicas of `orcha serve` on one database and the leader lease (docs/SCALING.md §2). A heartbeat is one
 * write transaction (under the writer lock, so heartbeats and lease moves are serialized across processes):
 * it records the replica's heartbeat and renews its lease, or takes the lease when it has expired — bumping the
 * fencing token, so every write of the deposed holder fails from then on (`StoreContext.fence`).
 */
export function replicaQueries(ctx: StoreContext) {
  return {
    heartbeatReplica(input: { id: string; address: string; leaseMs: number }): Leadership {
      const { id, address, leaseMs } = parseInput(heartbeatInput, input, 'replica heartbeat');
      return ctx.write(() => {
        const now = ctx.clock();
        ctx.db
          .insert(replicas)
          .values({ id, address, startedAt: now, heartbeatAt: now })
          .onConflictDoUpdate({ target: replicas.id, set: { address, heartbeatAt: now } })
          .run();
        ctx.db
          .delete(replicas)
          .where(lt(replicas.heartbeatAt, now - Math.max(forgetAfterMs, 20 * leaseMs)))
          .run();
        const lease = ctx.db.select().from(leases).where(eq(leases.name, schedulerLease)).get();
        const expiresAt = now + leaseMs;
        if (!lease) {
          ctx.db.insert(leases).values({ name: schedulerLease, holder: id, token: 1, expiresAt }).run();
          return { leader: id, token: 1, expiresAt };
        }
        const token = Number(lease.token);
        if (lease.holder === id) {
          ctx.db.update(leases).set({ expiresAt }).where(eq(leases.name, schedulerLease)).run();
          return { leader: id, token, expiresAt };
        }
        if (Number(lease.expiresAt) > now)
          return { leader: lease.holder, token: null, expiresAt: Number(lease.expiresAt) };
        ctx.db
          .update(leases)
          .set({ holder: id, token: token + 1, expiresAt })
          .where(eq(leases.name, schedulerLease))
          .run();
        return { leader: id, token: token + 1, expiresAt };
      });
    },

    /**
     * A replica that stops on purpose: its row goes, and its lease (if it leads) ends now, so another takes
     * over at its next heartbeat rather than after the lease time. The token stays: the next holder bumps it.
     */
    leaveReplicas(id: string): void {
      ctx.write(() => {
        ctx.db.delete(replicas).where(eq(replicas.id, id)).run();
        const lease = ctx.db.select().from(leases).where(eq(leases.name, schedulerLease)).get();
        if (lease?.holder === id)
          ctx.db.update(leases).set({ expiresAt: 0 }).where(eq(leases.name, schedulerLease)).run();
      });
    },

    /** Every replica heard from lately, oldest first, with which one leads. */
    listReplicas(): Replica[] {
      const now = ctx.clock();
      const lease = ctx.db.select().from(leases).where(eq(leases.name, schedulerLease)).get();
      const leader = lease && Number(lease.expiresAt) > now ? lease.holder : null;
      return ctx.db
        .select()
        .from(replicas)
        .orderBy(asc(replicas.startedAt), asc(replicas.id))
        .all()
        .map((row) => ({
          id: row.id,
          address: row.address,
          startedAt: Number(row.startedAt),
          heartbeatAt: Number(row.heartbeatAt),
          leader: row.id === leader,
        }));
    },

    /** Fences this store's writes with a lease token from `heartbeatReplica` (null: unfenced). */
    fenceWrites(fence: { token: number; leaseMs: number } | null): void {
      if (fence) parseInput(fenceInput, fence, 'fence');
      ctx.fence(fence);
    },
  };
}
