/**
 * The orcha command line: `orcha serve [flags]` (the default), the client commands (`orcha ls`, `orcha run`,
 * … in `cli/`), `orcha help`. Returns the exit code. Each part is imported only when used, so a client
 * command starts without loading the server.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command !== 'serve') {
    const { quickRead } = await import('./cli/quick-read.js');
    const quick = await quickRead(argv);
    if (quick !== null) return quick;
    const { clientCommands, runClientCli } = await import('./cli/index.js');
    const known = (clientCommands as readonly string[]).includes(command);
    if (known || command.startsWith('-') || command === 'help') {
      if (command === 'help' || command === '--help' || command === '-h') {
        const { usage } = await import('./config.js');
        console.log(`${usage}\n`);
        return runClientCli(['--help']);
      }
      return runClientCli(argv);
    }
    console.error(`orcha: unknown command ${command}; see orcha help`);
    return 2;
  }
  const { parseConfig } = await import('./config.js');
  const { startServer } = await import('./server.js');
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(rest);
  } catch (error) {
    console.error(`orcha: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (error) {
    console.error(`orcha: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log('orcha: stopping…');
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
