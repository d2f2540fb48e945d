import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { type App, errors, json } from '../route.js';

const valueSources = ['flag', 'environment', 'file', 'default'] as const;

/** What the server shows of its configuration. The server masks secrets before they get here. */
export interface ConfigView {
  /** The configuration file read at start, if any. */
  configFile: string | null;
  /** Each setting's effective value and where it came from (flag, environment, file, default). */
  effective: Record<string, { value: unknown; source: (typeof valueSources)[number] }>;
  /** The JSON Schema of `orcha.config.json`. */
  schema: Record<string, unknown>;
}

export const EffectiveConfig = z
  .object({
    configFile: z.string().nullable().describe('The configuration file read at start, if any.'),
    settings: z
      .record(
        z.string(),
        z.object({
          value: z.unknown().describe('The effective value; a secret only as the `$NAME` it comes from.'),
          source: z.enum(valueSources).describe('Where the value came from.'),
        }),
      )
      .describe('Each setting by name.'),
  })
  .meta({ id: 'EffectiveConfig', description: 'The effective configuration, secrets masked.' });

const tags = ['Settings'];

export const getConfig = createRoute({
  method: 'get',
  path: '/api/config',
  operationId: 'getConfig',
  tags,
  summary: 'The effective configuration',
  description:
    'Every setting with its effective value and its source (flag, environment, file, default); secrets are shown only as the `$NAME` they are read from.',
  responses: { 200: json(EffectiveConfig, 'The configuration.'), ...errors() },
});

export const getConfigSchema = createRoute({
  method: 'get',
  path: '/api/config.schema.json',
  operationId: 'getConfigSchema',
  tags,
  summary: 'The JSON Schema of orcha.config.json',
  description: 'The schema a configuration file is checked against at start.',
  responses: { 200: json(z.record(z.string(), z.unknown()), 'The JSON Schema.'), ...errors() },
});

/** GET /api/config (the effective configuration) and GET /api/config.schema.json. */
export function configRoutes(app: App, view: ConfigView | undefined) {
  const shown: ConfigView = view ?? { configFile: null, effective: {}, schema: {} };
  app.openapi(getConfig, (c) => c.json({ configFile: shown.configFile, settings: shown.effective }, 200));
  app.openapi(getConfigSchema, (c) => c.json(shown.schema, 200));
}
