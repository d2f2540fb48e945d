/** The exit codes every command keeps: 0 ok, 1 failed, 2 usage (bad input), 3 needs the person. */
export const exit = { ok: 0, failed: 1, usage: 2, needsPerson: 3 } as const;
