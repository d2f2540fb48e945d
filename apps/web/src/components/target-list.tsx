import { useDashboard } from '../state/use-dashboard';
import { AddTargetForm } from './add-target-form';
import { ReplicasPanel } from './replicas-panel';
import { TargetCard } from './target-card';

/** Where sessions run: each machine's state, load and health, and a form to add one. */
export function TargetList() {
  const targets = useDashboard((state) => state.targets);
  return (
    <div className="targets-page">
      <section className="panel targets" aria-labelledby="targets-title">
        <h2 id="targets-title">
          Targets <span className="count">{targets.length}</span>
        </h2>
        {targets.length === 0 && <p className="empty">No targets.</p>}
        <ul className="target-list">
          {targets.map((target) => (
            <li key={target.id}>
              <TargetCard target={target} />
            </li>
          ))}
        </ul>
      </section>
      <AddTargetForm />
      <ReplicasPanel />
    </div>
  );
}
