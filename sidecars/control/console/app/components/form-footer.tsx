/** The end of every form: what is wrong with it (the page's own check, then the API's answer), Cancel and the submit button. */
import type { ApiFailure } from '../api';
import { ActionError } from './states';

export function FormFooter({
  formError,
  error,
  busy,
  submitLabel,
  onCancel,
}: {
  formError: string | null;
  error: ApiFailure | null;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {formError && (
        <p class="form-error" role="alert">
          {formError}
        </p>
      )}
      <ActionError error={error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </>
  );
}
