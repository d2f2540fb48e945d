import type { Hono } from 'hono';

/** What the server shows of its configuration. The server masks secrets before they get here. */
export interface ConfigView {
  /** The configuration file read at start, if any. */
  configFile: string | null;
  /** Each setting's effective value and where it came from (flag, environment, file, default). */
  effective: Record<string, { value: unknown; source: 'flag' | 'environment' | 'file' | 'default' }>;
  /** The JSON Schema of `orcha.config.json`. */
  schema: Record<string, unknown>;
}

/** GET /api/config (the effective configuration) and GET /api/config.schema.json. */
export function configRoutes(app: Hono, view: ConfigView | undefined) {
  const shown: ConfigView = view ?? { configFile: null, effective: {}, schema: {} };
  app.get('/api/config', (c) => c.json({ configFile: shown.configFile, settings: shown.effective }));
  app.get('/api/config.schema.json', (c) => c.json(shown.schema));
}
