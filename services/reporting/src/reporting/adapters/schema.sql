-- Reporting read models. Every table is rebuilt from the topics; nothing here is a source of truth.
-- Part of reporting's baseline revision (r0001_baseline). Never edit it: a change to these
-- tables is a new revision.
CREATE TABLE IF NOT EXISTS rm_plans (
    plan_id           text PRIMARY KEY,
    code              text NOT NULL,
    title             text NOT NULL,
    language          text NOT NULL,
    period            jsonb,
    adopted_on        date,
    parties           jsonb NOT NULL DEFAULT '[]',
    monitoring_bodies jsonb NOT NULL DEFAULT '[]',
    sections          jsonb NOT NULL DEFAULT '[]',
    occurred_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_commitments (
    commitment_id text PRIMARY KEY,
    plan_id       text NOT NULL,
    code          text NOT NULL,
    section       text NOT NULL,
    title         text NOT NULL,
    parties       jsonb NOT NULL DEFAULT '[]',
    deadline      jsonb,
    deadline_end  date,
    priority      boolean NOT NULL DEFAULT false,
    made_on       date,
    indicators    jsonb NOT NULL DEFAULT '[]',
    recorded_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_commitments_plan_idx ON rm_commitments (plan_id, code);

-- Status history, so any business date (as_of) and record time (known_at) can be answered.
CREATE TABLE IF NOT EXISTS rm_status_changes (
    event_id       uuid PRIMARY KEY,
    commitment_id  text NOT NULL,
    stream_version integer NOT NULL,
    status         text NOT NULL,
    as_of          date NOT NULL,
    note           text,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_status_changes_idx
    ON rm_status_changes (commitment_id, as_of DESC, stream_version DESC);

-- Every event with its provenance: timelines lead from any figure back to these.
CREATE TABLE IF NOT EXISTS rm_timeline (
    event_id      uuid PRIMARY KEY,
    source        text NOT NULL,
    type          text NOT NULL,
    subject       text NOT NULL,
    plan_id       text,
    commitment_id text,
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL,
    partner       text,
    data          jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_timeline_commitment_idx ON rm_timeline (commitment_id, occurred_at);

CREATE TABLE IF NOT EXISTS rm_progress_reports (
    event_id          uuid PRIMARY KEY,
    commitment_id     text NOT NULL,
    report_id         text NOT NULL,
    stream_version    integer NOT NULL,
    as_of             date NOT NULL,
    completion        text NOT NULL,
    narrative         text,
    evidence          jsonb NOT NULL DEFAULT '[]',
    partner           text,
    recorded_at       timestamptz NOT NULL,
    retracted_at      timestamptz,
    retraction_reason text
);
CREATE INDEX IF NOT EXISTS rm_progress_reports_idx
    ON rm_progress_reports (commitment_id, as_of DESC, stream_version DESC);

CREATE TABLE IF NOT EXISTS rm_measurements (
    event_id       uuid PRIMARY KEY,
    commitment_id  text NOT NULL,
    indicator      text NOT NULL,
    stream_version integer NOT NULL,
    value          numeric NOT NULL,
    as_of          date NOT NULL,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_measurements_idx
    ON rm_measurements (commitment_id, indicator, as_of DESC, stream_version DESC);

CREATE TABLE IF NOT EXISTS rm_indicators (
    commitment_id text NOT NULL,
    code          text NOT NULL,
    definition    jsonb NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (commitment_id, code)
);

CREATE TABLE IF NOT EXISTS rm_milestones (
    commitment_id       text NOT NULL,
    code                text NOT NULL,
    title               text NOT NULL,
    planned             jsonb,
    planned_end         date,
    recorded_at         timestamptz NOT NULL,
    reached_on          date,
    reached_recorded_at timestamptz,
    PRIMARY KEY (commitment_id, code)
);

CREATE TABLE IF NOT EXISTS rm_amendments (
    event_id       uuid PRIMARY KEY,
    commitment_id  text NOT NULL,
    stream_version integer NOT NULL,
    as_of          date NOT NULL,
    reason         text NOT NULL,
    title          text,
    deadline       jsonb,
    deadline_end   date,
    parties        jsonb,
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_amendments_idx
    ON rm_amendments (commitment_id, as_of DESC, stream_version DESC);

-- Funding read models. Amounts are exact numerics with their currency beside them.
CREATE TABLE IF NOT EXISTS rm_fund_sources (
    source_id   text PRIMARY KEY,
    code        text NOT NULL,
    name        text NOT NULL,
    kind        text NOT NULL,
    plans       jsonb NOT NULL DEFAULT '[]',
    recorded_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_fund_agreements (
    agreement_id  text PRIMARY KEY,
    code          text NOT NULL,
    title         text NOT NULL,
    currency      text NOT NULL,
    period        jsonb,
    plan_id       text,
    section       text,
    total         numeric NOT NULL,
    contributions jsonb NOT NULL,
    illustrative  boolean NOT NULL DEFAULT false,
    signed_on     date NOT NULL,
    recorded_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_fund_agreements_plan_idx ON rm_fund_agreements (plan_id);

CREATE TABLE IF NOT EXISTS rm_fund_allocations (
    event_id      uuid PRIMARY KEY,
    agreement_id  text NOT NULL,
    allocation_id text NOT NULL,
    commitment_id text NOT NULL,
    plan_id       text,
    section       text,
    amount        numeric NOT NULL,
    currency      text NOT NULL,
    on_date       date NOT NULL,
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_fund_flows (
    agreement_id         text NOT NULL,
    flow_id              text NOT NULL,
    type                 text NOT NULL,
    direction            text NOT NULL,
    iati_code            integer NOT NULL,
    amount               numeric NOT NULL,
    currency             text NOT NULL,
    date                 date NOT NULL,
    commitment_id        text,
    plan_id              text,
    section              text,
    source               text,
    reference            text,
    illustrative         boolean NOT NULL DEFAULT false,
    partner              text,
    recorded_at          timestamptz NOT NULL,
    reversed_on          date,
    reversal_reason      text,
    reversed_recorded_at timestamptz,
    PRIMARY KEY (agreement_id, flow_id)
);
CREATE INDEX IF NOT EXISTS rm_fund_flows_plan_idx ON rm_fund_flows (plan_id);
CREATE INDEX IF NOT EXISTS rm_fund_flows_commitment_idx ON rm_fund_flows (commitment_id);

CREATE TABLE IF NOT EXISTS rm_fund_targets (
    target_id     text PRIMARY KEY,
    code          text NOT NULL,
    title         text NOT NULL,
    amount        numeric NOT NULL,
    currency      text NOT NULL,
    plan_id       text,
    section       text,
    commitment_id text,
    from_kinds    jsonb NOT NULL DEFAULT '[]',
    recorded_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_fund_rates (
    event_id    uuid PRIMARY KEY,
    on_date     date NOT NULL,
    base        text NOT NULL,
    quote       text NOT NULL,
    rate        numeric NOT NULL,
    recorded_at timestamptz NOT NULL
);
