/**
 * The step boundaries of an objective's life where a crash is hardest to survive: each is just after a
 * durable write and before the next. Tests kill orcha exactly at one of them (through `probe`) and check that
 * the next start makes every session truthful and moves the objective again. A normal run has no probe.
 * Listed in the order an objective of the offline demo reaches them.
 */
export const crashPoints = [
  /** The objective and its manager are written; the API has not answered yet. */
  'objective-written',
  /** A session claimed its target slot; its workspace is not prepared yet. */
  'slot-claimed',
  /** Its workspace is prepared; its agent is not started yet. */
  'workspace-prepared',
  /** The agent process is spawned; it has not given its conversation id yet. */
  'provider-spawned',
  /** The first batch of a run's transcript is written. */
  'transcript-written',
  /** spawn_session wrote the worker; the manager's call has not been answered. */
  'session-spawned',
  /** A worker finished; its manager has not been told. */
  'worker-finished',
  /** publish_pr pushed the branch; the pull request is not opened yet. */
  'branch-pushed',
  /** A question's answer is written; whoever waits on it has not been told. */
  'question-answered',
  /** mark_objective_done marked the objective done; its sessions have not been ended. */
  'objective-done',
] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** Called at each crash point; tests install one that kills the process. Absent in a normal run. */
export type CrashProbe = (point: CrashPoint) => void;
