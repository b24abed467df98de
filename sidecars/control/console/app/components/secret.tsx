/** A new key's secret, shown once with a copy button; the console keeps no copy after the dialog closes. */
import { useState } from 'preact/hooks';

export function SecretReveal({ secret }: { secret: string }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <div class="secret">
      <p class="warning" role="note">
        Copy this key now: <strong>you will not see this again.</strong> The gateway stores only its hash.
      </p>
      <div class="secret-row">
        <code class="secret-value" data-testid="new-secret">
          {secret}
        </code>
        <button type="button" class="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p class="muted" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'The browser refused the clipboard: select the key and copy it by hand.' : ''}
      </p>
    </div>
  );
}
