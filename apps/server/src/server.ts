import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentProvider } from '@orcha/agent';
import { createApi, createAuth } from '@orcha/api';
import { claudeAsRootWarning, claudeRefusesRoot, createOrchestrator, type Orchestrator } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { createIdGenerator, OrchaError, type Target } from '@orcha/model';
import { createStore, redactUrl } from '@orcha/store';
import { serveAgentEndpoint } from './agent-endpoint.js';
import { chooseBackends } from './backends.js';
import type { ServerConfig } from './config.js';
import { configJsonSchema } from './config-file.js';
import { createCrashProbe } from './crash-probe.js';
import { startDemo } from './demo.js';
import { closeServer, listen } from './listen.js';
import { createLogger } from './logger.js';
import { startNotifications } from './notifications.js';
import { startReplica } from './replica.js';
import { watchEventLoop } from './stall-watch.js';

export interface RunningServer {
  url: string;
  /** With a token in force: the dashboard's one-time login link (also printed once at start). */
  loginUrl: string | null;
  orchestrator: Orchestrator;
  close(): Promise<void>;
}

const version = '0.1.0';
const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * Composes store, backends, orchestrator and API, and listens. `providers` replaces the agents the flags
 * would choose — for embedding orcha with agents configured in code.
 */
export async function startServer(
  config: ServerConfig,
  overrides: { providers?: Record<string, AgentProvider> } = {},
): Promise<RunningServer> {
  const log = createLogger();
  const stopWatch = watchEventLoop(log);
  mkdirSync(config.dataDir, { recursive: true });
  const ids = createIdGenerator(Date.now, () => randomInt(32));
  // On PostgreSQL several serves may share the database: replicas, one of which leads (`replica.ts`).
  const store = createStore({
    ...(config.database ? { url: config.database } : { path: join(config.dataDir, 'orcha.db') }),
    clock: Date.now,
    ids,
  });
  const localTarget = store.ensureLocalTarget({
    workRoot: join(config.dataDir, 'work'),
    capacity: config.maxConcurrent,
  });
  const local = createLocalExecutor();
  const chosen = await chooseBackends(config, log);
  const backends = overrides.providers ? { ...chosen, providers: overrides.providers } : chosen;
  // Said before anything runs, rather than as each claude session fails.
  // `--agent-env claude:IS_SANDBOX=1` (or for every agent) counts as much as orcha's own environment.
  const sandbox = config.agentEnvironment.findLast(
    (entry) => entry.name === 'IS_SANDBOX' && entry.target === null && [null, 'claude'].includes(entry.agent),
  );
  const claudeRefuses =
    'claude' in backends.providers &&
    claudeRefusesRoot(process.getuid?.(), sandbox?.value ?? config.isSandbox);
  if (!backends.fake && claudeRefuses) log('warn', claudeAsRootWarning);
  const orchestrator = createOrchestrator({
    store,
    providers: backends.providers,
    executorFor: (target: Target) => {
      if (target.kind === 'local') return local;
      if (backends.sshExecutor) return backends.sshExecutor(target);
      throw new OrchaError('unavailable', 'SSH targets are not available in this build');
    },
    forge: backends.forge,
    preparer: backends.preparer,
    log,
    ...(config.crashAt ? { probe: createCrashProbe(config.crashAt) } : {}),
    config: {
      maxConcurrent: config.maxConcurrent,
      scheduleIntervalMs: config.scheduleInterval,
      feedbackPollMs: config.feedbackInterval,
      defaultAgent: backends.defaultAgent,
      agentCliRequired: !backends.fake,
      tmuxRequired: config.tmux,
      defaultRepo: backends.fake ? 'demo/app' : null,
      gitIdentity: { name: config.gitName, email: config.gitEmail },
      agentEnvironment: config.agentEnvironment,
      fallbacks: config.fallbacks,
      budgets: config.budgets,
    },
  });
  // `--auth` without a token of the person's own: one for this run, printed once below.
  const generatedToken = !config.apiToken && config.auth ? randomBytes(24).toString('base64url') : null;
  const apiToken = config.apiToken ?? generatedToken;
  const auth = apiToken ? createAuth(apiToken) : undefined;
  // Its port is set below to the one it listens on: `--port 0` asks for any free port.
  const effective = { ...config.effective };
  const app = createApi({
    orchestrator,
    auth,
    allowedHosts: [...config.allowedHosts, config.host],
    staticRoot: webRoot,
    ...(config.database ? { leaseMs: config.lease } : {}),
    settings: { configFile: config.configFile, effective, schema: configJsonSchema() },
    info: {
      version,
      fakeAgents: backends.fake,
      agents: Object.keys(backends.providers),
      forge: backends.forgeName,
    },
  });
  // Requests wait until sessions left by an earlier run are reconciled, so nobody sees a stale state.
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const fetchWhenReady: typeof app.fetch = async (request, ...rest) => {
    await ready;
    return app.fetch(request, ...rest);
  };
  const server = await listen(fetchWhenReady, config.host, config.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (effective.port) effective.port = { ...effective.port, value: port };
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // Agents reach their MCP endpoint over loopback whatever address the API listens on; on SSH targets,
  // through the reverse tunnel their connection carries, which leads to an endpoint serving only MCP.
  orchestrator.config.mcpBaseUrl = `http://127.0.0.1:${port}`;
  const agentEndpoint = await serveAgentEndpoint(fetchWhenReady);
  orchestrator.config.tunnelBaseUrl = agentEndpoint.url;
  let notifier: ReturnType<typeof startNotifications> | null = null;
  /** Reconciles what an earlier run (or a dead leader) left, then schedules, monitors and notifies. */
  const begin = async () => {
    backends.reload();
    const reconcileStarted = performance.now();
    const reconciled = await orchestrator.start();
    const reconcileMs = Math.round(performance.now() - reconcileStarted);
    notifier = startNotifications(store, config, log);
    // The dashboard shows what this machine has (tmux, git, agent CLIs, disk) from the start.
    void orchestrator
      .doctorTarget(localTarget.id)
      .catch((error) => log('warn', 'doctor of this machine failed', { error: String(error) }));
    if (Object.values(reconciled).some((count) => count > 0))
      log('info', 'reconciled sessions after restart', { ...reconciled, ms: reconcileMs });
  };
  const replica = config.database
    ? startReplica({
        store,
        id: ids('replica'),
        address: url,
        leaseMs: config.lease,
        log,
        lead: begin,
        // Its writes already fail; what it ran is taken over by the new leader (as after a crash).
        deposed: () => process.exit(75),
      })
    : null;
  if (!replica) await begin();
  markReady();
  const state = config.database ? `state in ${redactUrl(config.database)}, ` : '';
  log('info', `orcha ${version} serving ${url} (${state}data in ${config.dataDir})`);
  const loginUrl = auth ? `${url}/?login=${auth.issueLoginCode()}` : null;
  if (loginUrl) {
    // Printed once, on stdout: the person's terminal, not the log.
    const tokenLine = generatedToken
      ? `orcha: API token for scripts (Authorization: Bearer …): ${generatedToken}\n`
      : '';
    process.stdout.write(
      `${tokenLine}orcha: open the dashboard with this one-time login link: ${loginUrl} (good for 15 minutes)\n`,
    );
  }
  if (backends.fake) {
    log(
      'warn',
      'agents are FAKE: scripted offline agents do the work; run with --agents claude|codex|auto for real ones',
    );
  }
  const demo =
    // Seeded once: by the replica that leads at start, not by every replica of one database.
    backends.fake && backends.fakeForge && config.demo && (replica?.leading() ?? true)
      ? startDemo(orchestrator, backends.fakeForge, log)
      : null;
  return {
    url,
    loginUrl,
    orchestrator,
    async close() {
      stopWatch();
      demo?.stop();
      await orchestrator.stop();
      replica?.leave();
      await closeServer(server);
      await agentEndpoint.close();
      await backends.close();
      await notifier?.stop();
      store.close();
    },
  };
}
