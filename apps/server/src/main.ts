import { parseConfig, usage } from './config.js';
import { startServer } from './server.js';

/** The orcha command line: `orcha serve [flags]`, `orcha help`. Returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return 0;
  }
  if (command !== 'serve') {
    console.error(`orcha: unknown command ${command}\n\n${usage}`);
    return 2;
  }
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
