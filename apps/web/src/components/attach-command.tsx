import { useState } from 'react';

/** The command that attaches a terminal to the session's tmux pane, with a copy button. */
export function AttachCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('yes');
    } catch {
      // Without clipboard access (plain http beyond localhost) the command stays selectable.
      setCopied('no');
    }
    setTimeout(() => setCopied(null), 2000);
  };
  return (
    <div className="attach">
      <span className="muted">attach</span>
      <code className="mono" data-testid="attach-command">
        {command}
      </code>
      <button type="button" className="small" onClick={() => void copy()}>
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select it' : 'Copy'}
      </button>
    </div>
  );
}
