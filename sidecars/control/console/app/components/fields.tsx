/** Labelled form fields: every input has a visible label and, when given, a hint tied to it. */
import type { ComponentChildren } from 'preact';

let nextId = 0;
const fieldId = (name: string) => `f-${name}-${++nextId}`;

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  type?: 'text' | 'number' | 'password' | 'search' | 'datetime-local';
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
}

export function TextField({ label, name, value, onInput, hint, type = 'text', required, placeholder, autocomplete = 'off', inputMode }: TextFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field">
      <label for={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        autocomplete={autocomplete}
        inputMode={inputMode}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, name, value, onInput, hint, rows = 6, required }: Omit<TextFieldProps, 'type'> & { rows?: number }) {
  const id = fieldId(name);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        required={required}
        spellcheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Select({
  label,
  name,
  value,
  onChange,
  options,
  hint,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  hint?: string;
}) {
  const id = fieldId(name);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Checkbox({ label, name, checked, onChange }: { label: string; name: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = fieldId(name);
  return (
    <div class="field field-check">
      <input id={id} name={name} type="checkbox" checked={checked} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

export function FormGrid({ children }: { children: ComponentChildren }) {
  return <div class="form-grid">{children}</div>;
}

/** Definition list rows: label → value. */
export function Facts({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {rows.map(([label, value]) => (
        <div key={label} class="fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
