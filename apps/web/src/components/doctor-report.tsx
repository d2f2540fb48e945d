import type { DoctorReport } from '@orcha/model';
import { formatTime } from '../lib/format';

/** The doctor's checks: failing ones first, each with what it found and how to fix it. */
export function DoctorReportView({ report }: { report: DoctorReport }) {
  const checks = [...report.checks].sort(
    (a, b) => Number(a.ok) - Number(b.ok) || Number(b.required) - Number(a.required),
  );
  return (
    <div className={`doctor ${report.ok ? 'ok' : 'failing'}`} data-doctor-ok={report.ok}>
      <p className="doctor-summary">
        Doctor {report.ok ? 'passed' : 'found problems'}{' '}
        <span className="muted">at {formatTime(report.at)}</span>
      </p>
      <ul className="checks-list">
        {checks.map((check) => (
          <li
            key={check.name}
            className={`check ${check.ok ? 'pass' : check.required ? 'fail' : 'warn'}`}
            data-check={check.name}
          >
            <span className="check-mark" aria-hidden="true">
              {check.ok ? '✓' : check.required ? '✗' : '!'}
            </span>
            <span className="check-name">
              {check.name}
              {!check.required && <span className="muted"> (optional)</span>}
              <span className="visually-hidden">{check.ok ? ' passed' : ' failed'}</span>
            </span>
            <span className="check-detail">{check.detail}</span>
            {!check.ok && check.fix && (
              <span className="check-fix">
                fix: <code>{check.fix}</code>
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
