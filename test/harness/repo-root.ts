import { join } from 'node:path';

/** The repository's root, for the harness and tests that start its programs or read its files. */
export const REPO_ROOT = join(__dirname, '..', '..');
