/**
 * Reconciliation reports (issue 7). One drift_reports row per run; its findings in drift_findings, one
 * row each, so a run over a large target never has to hold (or send) all of them at once.
 */
export const driftReports = {
  version: 3,
  name: 'drift-reports',
  up: `
CREATE TABLE drift_reports (
  id          TEXT PRIMARY KEY,
  target      TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('report', 'fix')),
  dry_run     INTEGER NOT NULL DEFAULT 0,
  trigger     TEXT NOT NULL,
  actor       TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  verdict     TEXT,
  reason      TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  summary     TEXT,
  plan        TEXT
) STRICT;
CREATE INDEX drift_reports_target ON drift_reports (target, started_at);
CREATE INDEX drift_reports_started ON drift_reports (started_at);

CREATE TABLE drift_findings (
  report_id  TEXT NOT NULL REFERENCES drift_reports (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  subject    TEXT,
  remote_id  TEXT,
  remote_key TEXT,
  action     TEXT NOT NULL,
  fix        TEXT NOT NULL,
  detail     TEXT NOT NULL,
  PRIMARY KEY (report_id, seq)
) STRICT;
`,
};
