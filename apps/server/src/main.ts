/**
 * The orcha command line. `serve` is the orchestrator server; until the orchestrator and its API land,
 * it says plainly what exists and what is missing instead of pretending to serve.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command = 'serve'] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log('usage: orcha serve [--port 8080] [--host 127.0.0.1] [--data-dir .orcha]');
    return 0;
  }
  if (command !== 'serve') {
    console.error(`orcha: unknown command ${command}; try 'orcha help'`);
    return 2;
  }
  console.log(
    [
      'orcha: the foundation is installed — @orcha/model (domain, state machines, push safety) and',
      '@orcha/store (SQLite) are built and tested (`npm test`).',
      'Missing: the orchestrator, its HTTP API and the dashboard; `orcha serve` will serve them once they land.',
    ].join('\n'),
  );
  return 0;
}
