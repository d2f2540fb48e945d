import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { closestName } from '@orcha/core';
import { budgetLimitsSchema } from '@orcha/model';
import { z } from 'zod';

/**
 * `orcha.config.json`: the one configuration file. Strict: an unknown key is refused by path with the
 * closest known name. Secrets never sit in it: a value `$NAME` (or `${NAME}`) is read from orcha's
 * environment at start, and the API shows the reference, never the value.
 */
const secretReference = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;
const httpUrl = z
  .string()
  .url()
  .refine((url) => /^https?:$/.test(new URL(url).protocol), 'an http(s) URL');
const agentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'an agent name: lower-case letters, digits, -, at most 32');
const environmentName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const secret = z
  .string()
  .regex(secretReference, 'a reference to orcha\'s environment such as "$ORCHA_WEBHOOK_SECRET"');

export const profileSchema = z
  .object({
    name: agentName.describe('The agent name sessions use; two profiles of one CLI are two accounts.'),
    kind: z.enum(['claude', 'codex', 'tmux']).describe('Which agent CLI (tmux: any terminal program).'),
    command: z.string().min(1).optional().describe('The binary to run (default: the kind).'),
    args: z.array(z.string()).optional().describe('tmux profiles: the arguments of the command.'),
    model: z.string().min(1).optional(),
    env: z
      .record(environmentName, z.string())
      .optional()
      .describe('Environment of the agent; "$NAME" values come from orcha\'s environment.'),
    home: z
      .string()
      .min(1)
      .optional()
      .describe("The account's directory: CLAUDE_CONFIG_DIR for claude, CODEX_HOME for codex."),
  })
  .strict();
export type Profile = z.infer<typeof profileSchema>;

export const configFileSchema = z
  .object({
    $schema: z.string().optional(),
    port: z.number().int().min(0).max(65_535).optional(),
    host: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
    agents: z.enum(['fake', 'claude', 'codex', 'gemini', 'claude-acp', 'auto']).optional(),
    maxConcurrent: z.number().int().min(1).max(10_000).optional(),
    tmux: z.boolean().optional(),
    defaultAgent: agentName.optional().describe('The agent of objectives that name none.'),
    profiles: z.array(profileSchema).optional().describe('Agents as profiles, registered by name.'),
    fallbacks: z
      .record(agentName, z.array(agentName).min(1))
      .optional()
      .describe('When an agent is exhausted, the agents its sessions continue on, in order.'),
    budgets: z
      .object({
        objective: budgetLimitsSchema.optional().describe('Default budget of every objective.'),
        session: budgetLimitsSchema.optional().describe('Default budget of every session.'),
      })
      .strict()
      .optional(),
    notify: z
      .object({
        webhooks: z
          .array(z.object({ name: z.string().min(1).optional(), url: httpUrl, secret }).strict())
          .optional(),
        ntfy: z
          .array(
            z.object({ name: z.string().min(1).optional(), url: httpUrl, token: secret.optional() }).strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((file, context) => {
    const names = new Set<string>();
    for (const [index, profile] of (file.profiles ?? []).entries()) {
      if (names.has(profile.name))
        context.addIssue({
          code: 'custom',
          path: ['profiles', index, 'name'],
          message: `${profile.name} twice`,
        });
      names.add(profile.name);
    }
  });
export type ConfigFile = z.infer<typeof configFileSchema>;

/** The JSON Schema of the file (published at /api/config.schema.json and in docs/). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://orcha.dev/orcha.config.schema.json',
    title: 'orcha.config.json',
  };
}

/** Where the file is: `--config`, else `$ORCHA_CONFIG`, else `./orcha.config.json` when it exists. */
export function configFilePath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (flag) return resolve(cwd, flag);
  if (env.ORCHA_CONFIG) return resolve(cwd, env.ORCHA_CONFIG);
  const local = resolve(cwd, 'orcha.config.json');
  return existsSync(local) ? local : null;
}

/** Reads and validates the file; every problem is reported with its path and reason. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `config file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`config file ${path}: not JSON: ${(error as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeProblem(issue));
  if (parsed.success) problems.push(...missingSecrets(parsed.data, env));
  if (problems.length)
    throw new Error(`config file ${path} is refused:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  return parsed.data as ConfigFile;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

function describeProblem(issue: z.core.$ZodIssue): string[] {
  if (issue.code !== 'unrecognized_keys') return [`${pathText(issue.path)}: ${issue.message}`];
  const known = knownKeys(issue.path);
  return issue.keys.map((key) => {
    const closest = closestName(key, known);
    const hint = closest ? ` (did you mean "${closest}"?)` : '';
    return `${pathText([...issue.path, key])}: unknown key${hint}; known: ${known.join(', ')}`;
  });
}

/** The keys the schema accepts at an object's path (for the "did you mean" hint). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configFileSchema;
  for (const step of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = schema.shape[String(step)] as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPipe)
    current =
      current instanceof z.ZodPipe ? (current.in as z.ZodType) : (current.unwrap() as unknown as z.ZodType);
  return current;
}

/** Every `$NAME` the file refers to must be set in orcha's environment. */
function missingSecrets(file: ConfigFile, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const check = (path: string, value: string | undefined) => {
    const name = value === undefined ? null : referenceName(value);
    if (name && env[name] === undefined) problems.push(`${path}: ${value} is not set in orcha's environment`);
  };
  for (const [index, profile] of (file.profiles ?? []).entries())
    for (const [name, value] of Object.entries(profile.env ?? {}))
      check(`profiles.${index}.env.${name}`, value);
  for (const [index, hook] of (file.notify?.webhooks ?? []).entries())
    check(`notify.webhooks.${index}.secret`, hook.secret);
  for (const [index, topic] of (file.notify?.ntfy ?? []).entries())
    check(`notify.ntfy.${index}.token`, topic.token);
  return problems;
}

function referenceName(value: string): string | null {
  const match = secretReference.exec(value);
  return match ? (match[1] ?? match[2]!) : null;
}

/** A `$NAME` value read from the environment; any other value as written. */
export function resolveValue(value: string, env: NodeJS.ProcessEnv): string {
  const name = referenceName(value);
  return name ? (env[name] ?? '') : value;
}

/** What the API may show of a value that can be a secret: the reference, or a mask. */
export function maskValue(value: string): string {
  return referenceName(value) ? value : '********';
}

/**
 * A profile's environment for its agent: `$NAME` values resolved, `home` (relative to the file's directory,
 * `~/` to the user's home) as the CLI's account variable.
 */
export function profileEnvironment(
  profile: Profile,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(profile.env ?? {})) environment[name] = resolveValue(value, env);
  if (profile.home) {
    const home = profile.home.startsWith('~/')
      ? resolve(homedir(), profile.home.slice(2))
      : resolve(baseDir, profile.home);
    if (profile.kind === 'claude') environment.CLAUDE_CONFIG_DIR = home;
    else if (profile.kind === 'codex') environment.CODEX_HOME = home;
    else environment.HOME = home;
  }
  return environment;
}
