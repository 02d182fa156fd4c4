-- Budgets (contract section 10): a quantity of one subscription (sub_id) or an amount in one
-- currency over the realm's subscriptions (currency); exactly one of the two is set.
CREATE TABLE budgets (
    realm_id        TEXT NOT NULL REFERENCES orgs(realm_id),
    budget_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    sub_id          INTEGER REFERENCES subscriptions(id),
    currency        TEXT,
    threshold_milli INTEGER NOT NULL,        -- thousandths of the unit or of the currency
    alert_at        TEXT NOT NULL,           -- ascending percents, comma separated
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    PRIMARY KEY (realm_id, budget_id)
);
CREATE INDEX budgets_sub ON budgets(sub_id);

-- When usage first reached an alert level of a budget in a month (the month's start, unix
-- seconds UTC): written as usage is recorded (or when the budget is set), never guessed later.
CREATE TABLE budget_crossings (
    realm_id   TEXT NOT NULL,
    budget_id  TEXT NOT NULL,
    month      INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    crossed_at INTEGER NOT NULL,
    PRIMARY KEY (realm_id, budget_id, month, level)
);

-- Saved views (contract section 11).
CREATE TABLE saved_views (
    realm_id TEXT NOT NULL REFERENCES orgs(realm_id),
    view_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    query    TEXT NOT NULL,
    created  INTEGER NOT NULL,
    PRIMARY KEY (realm_id, view_id),
    UNIQUE (realm_id, name)
);
