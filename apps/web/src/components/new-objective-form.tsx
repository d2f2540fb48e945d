import type { NewObjective } from '@orcha/client';
import { type FormEvent, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { navigate } from '../lib/router';
import { useDashboard, useDashboardStore } from '../state/use-dashboard';
import { Field } from './field';

/** Title, prompt, optional repo + base branch, agent. The manager starts as soon as it is created. */
export function NewObjectiveForm({ onDone }: { onDone(): void }) {
  const store = useDashboardStore();
  const agents = useDashboard((state) => state.info?.agents ?? []);
  const [title, setTitle] = useState('');
  const [prompt, setPrompt] = useState('');
  const [repo, setRepo] = useState('');
  const [baseBranch, setBaseBranch] = useState('');
  const [agent, setAgent] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(null);
    const input: NewObjective = { title: title.trim(), prompt: prompt.trim() };
    if (repo.trim()) input.repo = repo.trim();
    if (baseBranch.trim()) input.baseBranch = baseBranch.trim();
    if (agent) input.agent = agent;
    try {
      const created = await api.createObjective(input);
      store.refresh({ kind: 'objective', id: created.objective.id });
      onDone();
      navigate({ view: 'overview', sessionId: created.manager.id });
    } catch (failure) {
      setError(errorText(failure));
      setSending(false);
    }
  };

  return (
    <form className="new-objective" onSubmit={(event) => void submit(event)} aria-label="New objective">
      <Field label="Title" wide>
        <input
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={200}
          placeholder="Port the parser to Rust"
        />
      </Field>
      <Field label="Prompt" wide>
        <textarea
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          rows={4}
          placeholder="What the manager should achieve, constraints, how to know it is done…"
        />
      </Field>
      <Field label="Repository (optional)">
        <input
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder="owner/name or URL"
          className="mono"
        />
      </Field>
      <Field label="Base branch (optional)">
        <input
          value={baseBranch}
          onChange={(e) => setBaseBranch(e.target.value)}
          placeholder="the repository's default branch"
          className="mono"
        />
      </Field>
      <Field label="Agent">
        <select value={agent} onChange={(e) => setAgent(e.target.value)}>
          <option value="">server default</option>
          {agents.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={sending || !title.trim()}>
          {sending ? 'Creating…' : 'Create objective'}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
