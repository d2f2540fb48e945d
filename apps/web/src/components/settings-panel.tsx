import type { Schemas } from '@orcha/client';
import { useEffect, useState } from 'react';
import { api, errorText } from '../api/orcha';

type ConfigResponse = Schemas['EffectiveConfig'];

const sourceLabel = {
  flag: 'flag',
  environment: 'environment',
  file: 'config file',
  default: 'default',
} as const;

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
}

/** The effective configuration (secrets masked by the server) and where each value came from. */
export function SettingsPanel() {
  const [config, setConfig] = useState<ConfigResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.config(controller.signal).then(setConfig, (caught) => {
      if (!controller.signal.aborted) setError(errorText(caught));
    });
    return () => controller.abort();
  }, []);
  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <p className="muted">
        {config?.configFile ? (
          <>
            Read from <code>{config.configFile}</code>; flags override it.
          </>
        ) : (
          <>
            No configuration file: flags and defaults. Give one with <code>orcha serve --config FILE</code>{' '}
            (schema at <a href="/api/config.schema.json">/api/config.schema.json</a>).
          </>
        )}{' '}
        Secrets are shown as the environment variable they come from.
      </p>
      {error && (
        <p className="load-error" role="alert">
          {error}
        </p>
      )}
      {config && (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Value</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(config.settings).map(([name, { value, source }]) => (
              <tr key={name} data-setting={name} data-source={source}>
                <th scope="row" className="mono">
                  {name}
                </th>
                <td className="mono setting-value">{show(value)}</td>
                <td className={`setting-source source-${source}`}>{sourceLabel[source]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
