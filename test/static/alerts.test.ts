/**
 * kong/observability/alerts.yml: promtool checks it and the Prometheus config that loads it, and
 * runs kong/observability/alerts.test.yml. promtool compares annotations verbatim, so the unit
 * tests run against a copy whose rules keep only `summary` (the templated line a pager shows):
 * descriptions and runbooks are checked for presence here instead of being copied there.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALERTS_FILE, alertRules, OBSERVABILITY_DIR } from '../harness/observability/dashboards';
import { describeRun, readRepoFile, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

const promtool = (): string => requireTool('promtool', 'prometheus');
const ALERTS_TEST = join(OBSERVABILITY_DIR, 'alerts.test.yml');

/** alerts.yml with only summaries, transformed by `change`, next to alerts.test.yml in a temp dir; promtool test rules' result. */
function runAlertTests(change: (yaml: string) => string = (y) => y) {
  const doc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ annotations: Record<string, string> }> }> };
  for (const rule of doc.groups.flatMap((g) => g.rules)) rule.annotations = { summary: rule.annotations.summary! };
  const dir = tempDir('aigw-alerts-');
  writeTemp(dir, 'alerts.yml', change(stringify(doc)));
  copyFileSync(ALERTS_TEST, join(dir, 'alerts.test.yml'));
  return runTool(promtool(), ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
}

describe('alert rules', () => {
  test('promtool check rules accepts alerts.yml', () => {
    const r = runTool(promtool(), ['check', 'rules', ALERTS_FILE]);
    if (r.status !== 0) throw new Error(describeRun('promtool check rules', r));
    expect(r.stdout).toContain(`SUCCESS: ${alertRules().length} rules found`);
  });

  test('promtool check config accepts prometheus.yml with its rule files, and loads the alerts', () => {
    const config = parse(readRepoFile('kong/observability/prometheus.yml')) as { rule_files: string[] };
    expect(config.rule_files).toEqual(['alerts.yml']);
    // A copy elsewhere, with the rule files resolved: what the check reads is the alerts file itself.
    config.rule_files = config.rule_files.map((file) => join(OBSERVABILITY_DIR, file));
    const file = writeTemp(tempDir('aigw-prom-'), 'prometheus.yml', stringify(config));
    const r = runTool(promtool(), ['check', 'config', file]);
    if (r.status !== 0) throw new Error(describeRun('promtool check config', r));
    expect(r.stdout).toContain(`SUCCESS: ${alertRules().length} rules found`);
  });

  test('promtool test rules passes alerts.test.yml', () => {
    const r = runAlertTests();
    if (r.status !== 0) throw new Error(describeRun('promtool test rules', r));
    expect(r.stdout).toContain('SUCCESS');
  });

  test('the unit tests catch a changed threshold', () => {
    const r = runAlertTests((yaml) => yaml.replace('>= 0.9', '>= 0.8'));
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('AigwTeamBudgetNearlySpent');
  });

  test('every alert has a severity, summary, description and runbook, and a unit test', () => {
    const tests = readFileSync(ALERTS_TEST, 'utf8');
    for (const rule of alertRules()) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      for (const field of ['summary', 'description', 'runbook'])
        expect({ alert: rule.alert, [field]: Boolean(rule.annotations?.[field]?.trim()) }).toEqual({ alert: rule.alert, [field]: true });
      expect(tests).toContain(`alertname: ${rule.alert}\n`);
    }
  });

  test('the alerts the gateway promises, each listed in docs/observability.md', () => {
    const names = alertRules().map((r) => r.alert);
    expect(names.sort()).toEqual(
      [
        'AigwAuthMayHaveFailedOpen',
        'AigwBreakerOpen',
        'AigwComponentDown',
        'AigwFailOpen',
        'AigwLedgerBacklogGrowing',
        'AigwModelAllTargetsFailing',
        'AigwProviderErrorRateHigh',
        'AigwTeamBudgetNearlySpent',
      ].sort(),
    );
    const doc = readRepoFile('docs', 'observability.md');
    for (const name of names) expect(doc).toContain(`\`${name}\``);
  });

  test('auth failing open is critical', () => {
    const rule = alertRules().find((r) => r.expr.includes('aigw_identity_unverified_total'));
    expect(rule?.labels?.severity).toBe('critical');
  });
});
