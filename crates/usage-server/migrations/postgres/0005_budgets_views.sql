-- Budgets (contract section 10): a quantity of one subscription (sub_id) or an amount in one
-- currency over the realm's subscriptions (currency); exactly one of the two is set.
CREATE TABLE budgets (
    realm_id        TEXT COLLATE "C" NOT NULL REFERENCES orgs(realm_id),
    budget_id       TEXT COLLATE "C" NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    sub_id          BIGINT REFERENCES subscriptions(id),
    currency        TEXT COLLATE "C",
    threshold_milli BIGINT NOT NULL,        -- thousandths of the unit or of the currency
    alert_at        TEXT COLLATE "C" NOT NULL,           -- ascending percents, comma separated
    created         BIGINT NOT NULL,
    updated         BIGINT NOT NULL,
    PRIMARY KEY (realm_id, budget_id)
);
CREATE INDEX budgets_sub ON budgets(sub_id);

-- When usage first reached an alert level of a budget in a month (the month's start, unix
-- seconds UTC): written as usage is recorded (or when the budget is set), never guessed later.
CREATE TABLE budget_crossings (
    realm_id   TEXT COLLATE "C" NOT NULL,
    budget_id  TEXT COLLATE "C" NOT NULL,
    month      BIGINT NOT NULL,
    level      BIGINT NOT NULL,
    crossed_at BIGINT NOT NULL,
    PRIMARY KEY (realm_id, budget_id, month, level)
);

-- Saved views (contract section 11).
CREATE TABLE saved_views (
    realm_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(realm_id),
    view_id  TEXT COLLATE "C" NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    query    TEXT COLLATE "C" NOT NULL,
    created  BIGINT NOT NULL,
    PRIMARY KEY (realm_id, view_id),
    UNIQUE (realm_id, name)
);
