-- Prompt templates (lib/templates, docs/prompt-templates.md). A template is named (its id);
-- versions are immutable and numbered from 1, each holding the definition parseTemplateDefinition
-- accepts and its hash at save time; labels (`production`, `staging`, any name but the reserved
-- `latest`) point at one version and move. Partials are templates of kind 'text' included by
-- name: a render uses the partial's `production` version, else its latest (the render's hash is
-- computed from the partial sources actually used, so a moved partial changes the hash).
CREATE TABLE aigw_prompt_templates (
  name            text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128),
  description     text CHECK (length(description) <= 1024),
  -- The newest version; versions are 1..latest_version, never deleted.
  latest_version  integer NOT NULL DEFAULT 0 CHECK (latest_version >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aigw_prompt_template_versions (
  template_name   text NOT NULL REFERENCES aigw_prompt_templates (name) ON DELETE CASCADE,
  version         integer NOT NULL CHECK (version >= 1),
  definition      jsonb NOT NULL,
  -- sha256 hex of the definition and the partials it reached when saved (lib/templates templateHash).
  hash            char(64) NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- The admin key that saved it.
  created_by      text,
  PRIMARY KEY (template_name, version)
);

CREATE TABLE aigw_prompt_template_labels (
  template_name   text NOT NULL,
  label           text NOT NULL CHECK (label ~ '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' AND label <> 'latest'),
  version         integer NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text,
  PRIMARY KEY (template_name, label),
  FOREIGN KEY (template_name, version) REFERENCES aigw_prompt_template_versions (template_name, version) ON DELETE CASCADE
);

-- Which template (and version) a request rendered; NULL for a raw prompt.
ALTER TABLE aigw_spend_ledger ADD COLUMN template_name text;
ALTER TABLE aigw_spend_ledger ADD COLUMN template_version integer CHECK (template_version >= 1);
