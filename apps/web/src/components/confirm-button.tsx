import { useState } from 'react';
import { errorText } from '../api/orcha';

interface Props {
  label: string;
  /** What the button says once armed; a second click runs the action. */
  confirmLabel: string;
  ariaLabel?: string;
  action(): Promise<unknown>;
  className?: string;
}

/** A destructive action that asks once more: the first click arms it, the second runs it, leaving disarms it. */
export function ConfirmButton({ label, confirmLabel, ariaLabel, action, className }: Props) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const click = async () => {
    if (!armed) {
      setArmed(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
      setArmed(false);
    }
  };
  return (
    <span className={`confirm ${className ?? ''}`}>
      <button
        type="button"
        className={armed ? 'danger small' : 'quiet small'}
        disabled={busy}
        aria-label={armed ? confirmLabel : (ariaLabel ?? label)}
        onClick={() => void click()}
        onBlur={() => setArmed(false)}
      >
        {armed ? confirmLabel : label}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
