/**
 * Fallback chains: for an agent (or profile) name, the agents a session continues on, in order, when that
 * agent's usage runs out — e.g. `{ "claude-work": ["claude-personal", "codex"] }`.
 */
export type FallbackChains = Readonly<Record<string, readonly string[]>>;

/**
 * The agents a session on `from` may continue on, best first: `from`'s own chain, then the agents after
 * `from` in every chain that names it (so a session already moved to `claude-personal` goes on to `codex`
 * in the chain above), each followed by its own candidates in turn. `from` itself never appears; each agent
 * appears once.
 */
export function fallbackOrder(chains: FallbackChains, from: string): string[] {
  const order: string[] = [];
  const seen = new Set([from]);
  const visit = (agent: string) => {
    const next = [
      ...(chains[agent] ?? []),
      ...Object.values(chains).flatMap((chain) => {
        const at = chain.indexOf(agent);
        return at < 0 ? [] : chain.slice(at + 1);
      }),
    ];
    const fresh: string[] = [];
    for (const candidate of next) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      fresh.push(candidate);
    }
    order.push(...fresh);
    for (const candidate of fresh) visit(candidate);
  };
  visit(from);
  return order;
}

/**
 * The agent a session on `from` continues on when `from` cannot run: the first of `fallbackOrder` that
 * `usable` accepts (configured, and not exhausted now), or null when none can. Pure: the caller decides
 * what usable means at its time.
 */
export function nextAgent(
  chains: FallbackChains,
  from: string,
  usable: (agent: string) => boolean,
): string | null {
  return fallbackOrder(chains, from).find(usable) ?? null;
}
