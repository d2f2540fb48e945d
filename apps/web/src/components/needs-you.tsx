import { formatRelative } from '../lib/format';
import { useNow } from '../lib/ticker';
import { useDashboard } from '../state/use-dashboard';
import { QuestionCard } from './question-card';

/** What only the person can unblock: open questions first, then providers out of quota. */
export function NeedsYou() {
  const questions = useDashboard((state) => state.questions);
  const providers = useDashboard((state) => state.providers);
  const now = useNow();
  const exhausted = providers.filter((p) => p.exhaustedUntil !== null && p.exhaustedUntil > now);
  const total = questions.length + exhausted.length;
  return (
    <section className="panel needs-you" aria-labelledby="needs-you-title">
      <h2 id="needs-you-title">
        Needs you <span className={`count${total ? ' attention' : ''}`}>{total}</span>
      </h2>
      {total === 0 && <p className="empty">Nothing is waiting on you.</p>}
      {exhausted.map((provider) => (
        <p key={provider.provider} className="exhausted" data-provider={provider.provider}>
          <span className="badge bad">exhausted</span> <strong>{provider.provider}</strong> is out of quota;
          resets {formatRelative(provider.exhaustedUntil!, now)} (
          {new Date(provider.exhaustedUntil!).toLocaleTimeString(undefined, {
            hour: '2-digit',
            minute: '2-digit',
          })}
          ).
        </p>
      ))}
      <ul className="questions">
        {questions.map((question) => (
          <li key={question.id}>
            <QuestionCard question={question} />
          </li>
        ))}
      </ul>
    </section>
  );
}
