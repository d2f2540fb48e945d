// Runs the `orcha` command from source (tests spawn it as a real process they can kill).
import { runCli } from '../src/main.js';

process.exitCode = await runCli(process.argv.slice(2));
