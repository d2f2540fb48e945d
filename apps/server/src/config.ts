import { dirname, resolve } from 'node:path';
import { crashPoints } from '@orcha/core';
import { agentNameSchema, describeIssues } from '@orcha/model';
import { defaultGitIdentity, gitIdentitySchema } from '@orcha/workspace';
import { z } from 'zod';
import { acpAgentSchema } from './acp-agents.js';
import {
  type ConfigFile,
  configFilePath,
  loadConfigFile,
  maskValue,
  type Profile,
  profileEnvironment,
  resolveValue,
} from './config-file.js';

/**
 * The one place the server reads flags and the environment. Flags take GNU spellings (`--port 9000`,
 * `--port=9000`) and the earlier single-dash ones (`-fake-agents`, `-tmux`, `-max-concurrent 4`).
 */
const httpUrl = z
  .string()
  .url()
  .refine((url) => /^https?:$/.test(new URL(url).protocol), 'an http(s) URL');

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('.orcha'),
  /** `--database` / ORCHA_DATABASE_URL: the store on PostgreSQL instead of `<dataDir>/orcha.db`. */
  database: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a PostgreSQL URL, postgres://user@host:5432/orcha')
    .optional(),
  /**
   * `--lease`: on PostgreSQL, how long the leader's lease lasts unless renewed (every third of it): the
   * longest a dead leader's replicas wait before one of them takes over.
   */
  lease: z.coerce.number().int().min(300).max(600_000).default(3_000),
  agents: z.enum(['fake', 'claude', 'codex', 'gemini', 'claude-acp', 'auto']).default('fake'),
  /** `--acp-agent`, repeatable: more agents over the Agent Client Protocol. */
  acpAgents: z.array(acpAgentSchema).default([]),
  tmux: z.boolean().default(false),
  /** tmux server socket name (`tmux -L`); default `orcha-<uid>`, apart from the user's own tmux. */
  tmuxSocket: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a socket name: letters, digits, . _ -')
    .optional(),
  realForge: z.boolean().default(false),
  /** The GitHub REST base URL: GitHub Enterprise's `https://<host>/api/v3`, or a local stand-in. */
  githubUrl: z.string().url().optional(),
  /** From GITHUB_TOKEN / GH_TOKEN only: a token never travels in argv. */
  githubToken: z.string().min(1).optional(),
  maxConcurrent: z.coerce.number().int().min(1).max(10_000).default(8),
  scheduleInterval: z.coerce.number().int().min(10).max(600_000).default(2_000),
  feedbackInterval: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  apiToken: z.string().min(16).optional(),
  /** Require the API token on loopback too (a token is generated when none is given). */
  auth: z.boolean().default(false),
  /** Host names the server answers to besides loopback names and IP addresses (repeatable flag). */
  allowedHosts: z
    .array(
      z.string().regex(/^\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, 'a host name, e.g. orcha.lan or .lan'),
    )
    .default([]),
  demo: z.boolean().default(true),
  /** Test-only, from ORCHA_TEST_CRASH_AT: the crash point where orcha kills itself (`crash-probe.ts`). */
  crashAt: z.enum(crashPoints).optional(),
  /** IS_SANDBOX from the environment: claude accepts bypassPermissions as root only with it set to 1. */
  isSandbox: z.string().optional(),
  /** Author and committer of the commits orcha makes of what workers leave (default: orcha's own). */
  gitName: gitIdentitySchema.shape.name.default(defaultGitIdentity.name),
  gitEmail: gitIdentitySchema.shape.email.default(defaultGitIdentity.email),
  /** `--agent-env`, repeatable: the environment agents get, per agent and per target. */
  agentEnvironment: z
    .array(
      z.object({
        agent: z.string().nullable(),
        target: z.string().nullable(),
        name: z.string(),
        value: z.string(),
      }),
    )
    .default([]),
  /**
   * `--fallback AGENT=NEXT[,NEXT…]`, repeatable: fallback chains. When AGENT's usage runs out, its sessions
   * continue mid-task on the first of the chain that can run.
   */
  fallbacks: z.record(agentNameSchema, z.array(agentNameSchema).min(1)).default({}),
  /** Where the person is told (`--notify-webhook`, `--notify-ntfy`); secrets come from the environment. */
  notifySinks: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('webhook'),
          name: z.string(),
          url: httpUrl,
          secret: z.string().min(16, 'the webhook secret needs 16+ characters'),
        }),
        z.object({
          kind: z.literal('ntfy'),
          name: z.string(),
          url: httpUrl,
          token: z.string().min(1).optional(),
        }),
      ]),
    )
    .default([]),
});
/** Where a value of the effective configuration came from. */
export type ConfigSource = 'flag' | 'environment' | 'file' | 'default';

/** What the file adds to the flags: agent profiles, fallback chains, default budgets. */
export interface FileSettings {
  /** The configuration file read, if any. */
  configFile: string | null;
  profiles: Profile[];
  defaultAgent: string | undefined;
  fallbacks: Record<string, string[]>;
  budgets: NonNullable<ConfigFile['budgets']>;
  /** The effective configuration as the API shows it: secrets masked, each value with its source. */
  effective: Record<string, { value: unknown; source: ConfigSource }>;
}

export type ServerConfig = z.infer<typeof configSchema> &
  FileSettings & { dataDir: string; searchPath: string };

type FlagKey =
  | keyof z.infer<typeof configSchema>
  | 'fakeAgents'
  | 'noDemo'
  | 'notifyWebhook'
  | 'notifyNtfy'
  | 'notifySecretEnv'
  | 'config';
const flagNames: Record<string, FlagKey> = {
  port: 'port',
  host: 'host',
  'data-dir': 'dataDir',
  database: 'database',
  lease: 'lease',
  agents: 'agents',
  tmux: 'tmux',
  'tmux-socket': 'tmuxSocket',
  'real-forge': 'realForge',
  'github-url': 'githubUrl',
  'max-concurrent': 'maxConcurrent',
  'schedule-interval': 'scheduleInterval',
  'feedback-interval': 'feedbackInterval',
  'api-token': 'apiToken',
  auth: 'auth',
  'allowed-host': 'allowedHosts',
  'fake-agents': 'fakeAgents',
  'no-demo': 'noDemo',
  'git-name': 'gitName',
  'git-email': 'gitEmail',
  'agent-env': 'agentEnvironment',
  'notify-webhook': 'notifyWebhook',
  'notify-ntfy': 'notifyNtfy',
  'notify-secret-env': 'notifySecretEnv',
  'acp-agent': 'acpAgents',
  config: 'config',
  fallback: 'fallbacks',
};
const booleans = new Set(['tmux', 'realForge', 'auth', 'fakeAgents', 'noDemo']);
const repeatable = new Set(['allowedHosts']);

const agentEnvironmentSpec =
  /^([A-Za-z0-9_-]*)(?:@([A-Za-z0-9][A-Za-z0-9_.-]{0,62}))?:([A-Za-z_][A-Za-z0-9_]*)(?:=([\s\S]*))?$/;

/**
 * `--agent-env [AGENT][@TARGET]:NAME[=VALUE]`: no agent means every agent, no target every target. Without
 * `=VALUE` the value is taken from orcha's own environment, so secrets never appear on a command line.
 */
function agentEnvironmentEntry(spec: string, env: NodeJS.ProcessEnv) {
  const match = agentEnvironmentSpec.exec(spec);
  if (!match)
    throw new Error(
      `--agent-env ${spec}: expected [AGENT][@TARGET]:NAME[=VALUE], e.g. claude:ANTHROPIC_API_KEY or @gpu-box:PATH=/opt/bin:/usr/bin`,
    );
  const [, agent, target, name, literal] = match;
  const value = literal ?? env[name!];
  if (value === undefined)
    throw new Error(
      `--agent-env ${spec}: ${name} is not set in orcha's environment (give NAME=VALUE or export it)`,
    );
  return { agent: agent || null, target: target ?? null, name: name!, value };
}

/** Names sinks `webhook:HOST` (`#2`, `#3` for repeats): stable, since they key the delivery log. */
function sinkNamer() {
  const names = new Map<string, number>();
  return (kind: string, url: string) => {
    let host = url;
    try {
      host = new URL(url).host;
    } catch {}
    const base = `${kind}:${host}`;
    const seen = (names.get(base) ?? 0) + 1;
    names.set(base, seen);
    return seen === 1 ? base : `${base}#${seen}`;
  };
}

/**
 * The sinks of `--notify-webhook URL` and `--notify-ntfy URL` (each repeatable). Webhooks are signed with the
 * secret in ORCHA_WEBHOOK_SECRET (or the variable `--notify-secret-env NAME` names); an ntfy topic's access
 * token comes from ORCHA_NTFY_TOKEN. Sink names (`webhook:HOST`) key the delivery log, so they stay stable.
 */
function notifySinks(
  flags: { webhooks: string[]; ntfy: string[]; secretEnv: string | undefined },
  env: NodeJS.ProcessEnv,
) {
  const name = sinkNamer();
  const secretName = flags.secretEnv ?? 'ORCHA_WEBHOOK_SECRET';
  const secret = env[secretName];
  if (flags.webhooks.length && secret === undefined)
    throw new Error(`--notify-webhook needs a signing secret: set ${secretName} in orcha's environment`);
  return [
    ...flags.webhooks.map((url) => ({ kind: 'webhook' as const, name: name('webhook', url), url, secret })),
    ...flags.ntfy.map((url) => ({
      kind: 'ntfy' as const,
      name: name('ntfy', url),
      url,
      ...(env.ORCHA_NTFY_TOKEN ? { token: env.ORCHA_NTFY_TOKEN } : {}),
    })),
  ];
}

/** The sinks the file names; unnamed ones are named as the flags' are. Secrets come from the environment. */
function fileSinks(notify: NonNullable<ConfigFile['notify']>, env: NodeJS.ProcessEnv) {
  const name = sinkNamer();
  return [
    ...(notify.webhooks ?? []).map((hook) => ({
      kind: 'webhook' as const,
      name: hook.name ?? name('webhook', hook.url),
      url: hook.url,
      secret: resolveValue(hook.secret, env),
    })),
    ...(notify.ntfy ?? []).map((topic) => ({
      kind: 'ntfy' as const,
      name: topic.name ?? name('ntfy', topic.url),
      url: topic.url,
      ...(topic.token ? { token: resolveValue(topic.token, env) } : {}),
    })),
  ];
}

/** `--fallback claude=codex` or `--fallback claude=claude-personal,codex`; a repeated AGENT extends its chain. */
function fallbackChain(spec: string, chains: Record<string, string[]>): Record<string, string[]> {
  const match = /^([^=\s]+)=([^=\s]+)$/.exec(spec.trim());
  if (!match)
    throw new Error(
      `--fallback ${spec}: expected AGENT=NEXT[,NEXT…], e.g. claude=codex or claude=claude-personal,codex`,
    );
  const [, agent, chain] = match;
  const next = chain!.split(',').filter(Boolean);
  if (next.includes(agent!)) throw new Error(`--fallback ${spec}: ${agent} cannot fall back to itself`);
  return { ...chains, [agent!]: [...new Set([...(chains[agent!] ?? []), ...next])] };
}

function acpAgentJson(spec: string): unknown {
  try {
    return JSON.parse(spec);
  } catch {
    throw new Error(
      `--acp-agent ${spec}: expected JSON such as {"name":"goose","kind":"acp","command":"goose","args":["acp"]}`,
    );
  }
}

/** Durations accept plain milliseconds or Go-style `2s`, `500ms`, `1m`. */
function duration(value: string): string {
  const match = /^(\d+)(ms|s|m)?$/.exec(value.trim());
  if (!match) return value;
  const amount = Number(match[1]);
  return String(match[2] === 's' ? amount * 1_000 : match[2] === 'm' ? amount * 60_000 : amount);
}

export function parseConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ServerConfig {
  const raw: Record<string, unknown> = {};
  if (env.ORCHA_API_TOKEN) raw.apiToken = env.ORCHA_API_TOKEN;
  if (env.ORCHA_DATA_DIR) raw.dataDir = env.ORCHA_DATA_DIR;
  if (env.ORCHA_DATABASE_URL) raw.database = env.ORCHA_DATABASE_URL;
  if (env.ORCHA_GITHUB_URL) raw.githubUrl = env.ORCHA_GITHUB_URL;
  if (env.IS_SANDBOX !== undefined) raw.isSandbox = env.IS_SANDBOX;
  if (env.ORCHA_TEST_CRASH_AT) raw.crashAt = env.ORCHA_TEST_CRASH_AT;
  if (env.ORCHA_GIT_NAME) raw.gitName = env.ORCHA_GIT_NAME;
  if (env.ORCHA_GIT_EMAIL) raw.gitEmail = env.ORCHA_GIT_EMAIL;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (token) raw.githubToken = token;
  const sources: Record<string, ConfigSource> = {};
  for (const key of Object.keys(raw)) sources[key] = 'environment';
  let configFlag: string | undefined;
  const notify = {
    webhooks: [] as string[],
    ntfy: [] as string[],
    secretEnv: undefined as string | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    const key = match ? flagNames[match[1]!] : undefined;
    if (!match || !key) throw new Error(`unknown argument ${arg}; try 'orcha help'`);
    let value: string | boolean | undefined = match[2];
    if (booleans.has(key)) value = value === undefined ? true : value !== 'false';
    else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
    }
    sources[key === 'fakeAgents' ? 'agents' : key === 'noDemo' ? 'demo' : key] = 'flag';
    if (key === 'config') configFlag = String(value);
    else if (key === 'fakeAgents') raw.agents = value ? 'fake' : 'auto';
    else if (key === 'agentEnvironment')
      raw.agentEnvironment = [
        ...((raw.agentEnvironment as unknown[] | undefined) ?? []),
        agentEnvironmentEntry(String(value), env),
      ];
    else if (key === 'acpAgents')
      raw.acpAgents = [...((raw.acpAgents as unknown[] | undefined) ?? []), acpAgentJson(String(value))];
    else if (key === 'fallbacks')
      raw.fallbacks = fallbackChain(
        String(value),
        (raw.fallbacks as Record<string, string[]> | undefined) ?? {},
      );
    else if (key === 'noDemo') raw.demo = !value;
    else if (key === 'notifyWebhook') notify.webhooks.push(String(value));
    else if (key === 'notifyNtfy') notify.ntfy.push(String(value));
    else if (key === 'notifySecretEnv') {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(value)))
        throw new Error(`--notify-secret-env ${value}: expected the NAME of an environment variable`);
      notify.secretEnv = String(value);
    } else if (repeatable.has(key)) raw[key] = [...((raw[key] as unknown[] | undefined) ?? []), value];
    else
      raw[key] =
        key === 'scheduleInterval' || key === 'feedbackInterval' || key === 'lease'
          ? duration(String(value))
          : value;
  }
  const configFile = configFilePath(configFlag, env, cwd);
  const fileDir = configFile ? dirname(configFile) : cwd;
  const file = configFile ? loadConfigFile(configFile, env) : {};
  // Flags (and the environment) override the file.
  for (const key of ['port', 'host', 'dataDir', 'agents', 'maxConcurrent', 'tmux'] as const) {
    if (raw[key] !== undefined || file[key] === undefined) continue;
    raw[key] =
      key === 'dataDir' ? resolve(configFile ? resolve(configFile, '..') : cwd, file.dataDir!) : file[key];
    sources[key] = 'file';
  }
  const flagSinks = notify.webhooks.length + notify.ntfy.length > 0;
  raw.notifySinks = flagSinks || !file.notify ? notifySinks(notify, env) : fileSinks(file.notify, env);
  sources.notifySinks = flagSinks ? 'flag' : file.notify ? 'file' : 'default';
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid configuration: ${describeIssues(parsed.error.issues)}`);
  const settings = {
    configFile,
    // The agents get the values of `$NAME` references; the effective view below shows only the references.
    profiles: (file.profiles ?? []).map((profile) => ({
      ...profile,
      env: profileEnvironment(profile, env, fileDir),
    })),
    defaultAgent: file.defaultAgent,
    // `--fallback` flags replace the file's chains.
    fallbacks: sources.fallbacks === 'flag' ? parsed.data.fallbacks : (file.fallbacks ?? {}),
    budgets: file.budgets ?? {},
  };
  const effective = effectiveConfig(parsed.data, settings, sources, {
    file,
    secretEnv: notify.secretEnv ?? 'ORCHA_WEBHOOK_SECRET',
  });
  // Where `--agents auto` looks for the agent CLIs.
  const config = {
    ...parsed.data,
    ...settings,
    effective,
    dataDir: resolve(cwd, parsed.data.dataDir),
    searchPath: env.PATH ?? '',
  };
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.host);
  if (!loopback && !config.apiToken) {
    throw new Error(
      `listening on ${config.host} needs an API token: set ORCHA_API_TOKEN or --api-token (16+ characters)`,
    );
  }
  return config;
}

/** The effective configuration as people may see it: no secret value, each value with its source. */
function effectiveConfig(
  config: z.infer<typeof configSchema>,
  settings: Omit<FileSettings, 'effective'>,
  sources: Record<string, ConfigSource>,
  context: { file: ConfigFile; secretEnv: string },
): FileSettings['effective'] {
  const fromFile = (present: unknown): ConfigSource => (present === undefined ? 'default' : 'file');
  const shown: Record<string, unknown> = {
    port: config.port,
    host: config.host,
    dataDir: config.dataDir,
    agents: config.agents,
    maxConcurrent: config.maxConcurrent,
    tmux: config.tmux,
    realForge: config.realForge,
    auth: config.auth || config.apiToken !== undefined,
    allowedHosts: config.allowedHosts,
  };
  const effective: FileSettings['effective'] = {};
  for (const [key, value] of Object.entries(shown))
    effective[key] = { value, source: sources[key] ?? 'default' };
  effective.profiles = {
    value: (context.file.profiles ?? []).map((profile) => ({
      ...profile,
      ...(profile.env
        ? {
            env: Object.fromEntries(
              Object.entries(profile.env).map(([name, value]) => [name, maskValue(value)]),
            ),
          }
        : {}),
    })),
    source: fromFile(context.file.profiles),
  };
  effective.defaultAgent = { value: settings.defaultAgent ?? null, source: fromFile(settings.defaultAgent) };
  effective.fallbacks = {
    value: settings.fallbacks,
    source: sources.fallbacks === 'flag' ? 'flag' : fromFile(context.file.fallbacks),
  };
  effective.budgets = { value: settings.budgets, source: fromFile(context.file.budgets) };
  const hooks = context.file.notify?.webhooks ?? [];
  const topics = context.file.notify?.ntfy ?? [];
  const fileSinksShown = sources.notifySinks === 'file';
  effective.notifySinks = {
    value: config.notifySinks.map((sink, index) =>
      sink.kind === 'webhook'
        ? {
            kind: sink.kind,
            name: sink.name,
            url: sink.url,
            secret: fileSinksShown ? hooks[index]!.secret : `$${context.secretEnv}`,
          }
        : {
            kind: sink.kind,
            name: sink.name,
            url: sink.url,
            ...(sink.token
              ? { token: fileSinksShown ? topics[index - hooks.length]!.token : '$ORCHA_NTFY_TOKEN' }
              : {}),
          },
    ),
    source: sources.notifySinks ?? 'default',
  };
  return effective;
}

export const usage = `usage: orcha serve [flags]

  --config FILE            the configuration file (or $ORCHA_CONFIG; default ./orcha.config.json when it
                           exists): agent profiles, fallbacks, budgets, notification sinks. Flags override it

  --port N                 port to listen on (8080; 0: any free port, printed in the "serving" line)
  --host ADDR              address to bind (127.0.0.1); beyond loopback an API token is required
  --data-dir DIR           where the SQLite database and workspaces live (.orcha)
  --database URL           keep the state in PostgreSQL instead (postgres://user@host:5432/orcha, or
                           ORCHA_DATABASE_URL, where a password belongs); migrated on start. Several
                           serves on one database are replicas: one leads (schedules), any serves the API
  --lease D                on PostgreSQL, the leader's lease, e.g. 3s: a dead leader is replaced within it
  --agents fake|claude|codex|gemini|claude-acp|auto
                           fake: scripted offline agents (default); auto: claude, codex, gemini (ACP) and
                           claude-acp (the Claude ACP adapter, claude-agent-acp) when installed
  --acp-agent JSON         another Agent Client Protocol agent (repeatable), e.g.
                           '{"name":"goose","kind":"acp","command":"goose","args":["acp"],"permission":"allow"}'
  --fallback AGENT=NEXT[,NEXT…]
                           when AGENT's usage runs out (or it keeps failing on rate limits), its sessions
                           continue mid-task on the first agent of the chain that can run, in the same
                           workspace, from a handoff prompt (repeatable), e.g. --fallback claude=codex
  --tmux                   run every session in an attachable tmux session
  --tmux-socket NAME       the tmux server socket (-L) orcha uses (orcha-<uid>)
  --real-forge             real git pushes and GitHub pull requests, real git checkouts; the token
                           comes from GITHUB_TOKEN, GH_TOKEN or \`gh auth token\`
  --github-url URL         GitHub's REST base URL (GitHub Enterprise: https://HOST/api/v3; or ORCHA_GITHUB_URL)
  --max-concurrent N       sessions running at once (8)
  --schedule-interval D    idle scheduler tick, e.g. 2s (the scheduler also wakes at once on new work)
  --feedback-interval D    how often open pull requests are polled (5s)
  --api-token T            require this bearer token on /api (or ORCHA_API_TOKEN)
  --auth                   require an API token on loopback too (one is generated unless given); orcha
                           prints a one-time login link for the dashboard (good for 15 minutes)
  --allowed-host NAME      also answer to this host name (repeatable; .NAME allows its subdomains too);
                           IP addresses and localhost always work, other names get 403 (DNS rebinding)
  --no-demo                with fake agents, do not start the demo objective
  --git-name NAME          author and committer of the commits orcha makes of what workers leave
  --git-email EMAIL        uncommitted (or ORCHA_GIT_NAME / ORCHA_GIT_EMAIL; default orcha's own)
  --agent-env [AGENT][@TARGET]:NAME[=VALUE]
                           environment for agents (repeatable): one agent or all, one target or all;
                           without =VALUE the value comes from orcha's environment (for secrets). On SSH
                           targets it reaches the agent through a 0600 file, never a command line
  --notify-webhook URL     POST signed JSON to URL when orcha needs the person, an objective ends or a
                           target goes offline (repeatable); signed with ORCHA_WEBHOOK_SECRET
  --notify-secret-env NAME read the webhook signing secret from this variable instead
  --notify-ntfy URL        POST the same notifications to an ntfy topic URL (repeatable); an access
                           token, if the topic needs one, comes from ORCHA_NTFY_TOKEN

Single-dash spellings work too: -fake-agents, -tmux, -max-concurrent 4, -schedule-interval 2s, -real-forge.`;
