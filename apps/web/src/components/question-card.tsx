import type { Question, QuestionKind } from '@orcha/model';
import { type FormEvent, useId, useState } from 'react';
import { api, errorText } from '../api/orcha';
import { formatRelative } from '../lib/format';
import { hrefFor } from '../lib/router';
import { useNow } from '../lib/ticker';
import { useDashboard, useDashboardStore } from '../state/use-dashboard';

const kindLabels: Record<QuestionKind, string> = {
  ask_user: 'question',
  loop_guard: 'loop guard paused',
  usage_exhausted: 'provider exhausted',
  pr_closed: 'PR closed — decide',
  budget: 'budget spent',
  permission: 'agent asks permission',
  manager_lost: 'manager lost — decide',
};

/** One open question with its suggested answers as buttons and a free-text answer box. */
export function QuestionCard({ question }: { question: Question }) {
  const store = useDashboardStore();
  const objective = useDashboard((state) => state.objectives[question.objectiveId]);
  const session = useDashboard((state) =>
    question.sessionId ? state.sessions[question.sessionId] : undefined,
  );
  const now = useNow();
  const [answer, setAnswer] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  const send = async (text: string) => {
    if (!text.trim() || sending) return;
    setSending(true);
    setError(null);
    try {
      await api.answer(question.id, text.trim());
      store.dropQuestion(question.id);
    } catch (failure) {
      setError(errorText(failure));
      setSending(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send(answer);
  };

  return (
    <article
      className={`question kind-${question.kind}`}
      data-question-id={question.id}
      aria-label={`${kindLabels[question.kind]}: ${question.prompt}`}
    >
      <header className="question-head">
        <span className={`badge ${question.kind === 'ask_user' ? 'attention' : 'bad'}`}>
          {kindLabels[question.kind]}
        </span>
        <span className="question-where">
          {objective ? objective.title : 'objective'}
          {question.sessionId && (
            <>
              {' · '}
              <a href={hrefFor({ view: 'overview', sessionId: question.sessionId })}>
                {session ? `${session.role} ${session.title || session.agent}` : 'session'}
              </a>
            </>
          )}
        </span>
        <span className="muted">{formatRelative(question.createdAt, now)}</span>
      </header>
      <p className="question-prompt">{question.prompt}</p>
      {session?.statusReason && question.kind !== 'ask_user' && (
        <p className="question-reason muted">
          {session.status.replace('_', ' ')}: {session.statusReason}
        </p>
      )}
      <form className="answer" onSubmit={submit}>
        {question.options.map((option) => (
          <button
            key={option}
            type="button"
            className="option"
            disabled={sending}
            onClick={() => void send(option)}
          >
            {option}
          </button>
        ))}
        <label htmlFor={inputId} className="visually-hidden">
          Answer
        </label>
        <input
          id={inputId}
          value={answer}
          onChange={(event) => setAnswer(event.target.value)}
          placeholder={question.options.length ? 'or type an answer…' : 'Type an answer…'}
          autoComplete="off"
          disabled={sending}
        />
        <button type="submit" className="primary" disabled={sending || !answer.trim()}>
          {sending ? 'Sending…' : 'Answer'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
