//! The Budgets page's rules (contract section 10): the form as typed and its checks (the
//! contract crate's, plus the budget id and the alert levels as typed), the progress bar's
//! geometry, the state in words, and which budgets the portal calls to attention.

use usage_api::FieldError;
use usage_api::Quantity;
use usage_api::budgets::{
    BUDGET_ID_MAX, Budget, BudgetInput, BudgetState, DEFAULT_ALERT_AT, check_budget_id,
};

/// What a budget sums, as chosen in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BudgetKind {
    /// One subscription's usage, in its unit.
    #[default]
    Quantity,
    /// The amounts of every subscription in one currency.
    Amount,
}

/// The budget form as the user edits it: text where the user types.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BudgetDraft {
    /// The budget id (`budgetId` in the path); made from the name when left empty.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it sums.
    pub kind: BudgetKind,
    /// A quantity budget's subscription.
    pub subscription: String,
    /// An amount budget's currency.
    pub currency: String,
    /// The threshold.
    pub threshold: String,
    /// The alert levels, as typed: percents separated by commas or spaces.
    pub alert_at: String,
}

/// `name` as a budget id: letters and digits kept, anything else one `-`, at most 64.
pub fn id_from_name(name: &str) -> String {
    let mut id = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let mut id: String = id
        .trim_end_matches('-')
        .chars()
        .take(BUDGET_ID_MAX)
        .collect();
    while id.ends_with('-') {
        id.pop();
    }
    id
}

/// Alert levels as typed (`80, 100`): the numbers, or why they are not.
pub fn parse_alert_at(text: &str) -> Result<Option<Vec<u32>>, String> {
    let parts: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|p| p.trim().trim_end_matches('%'))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    parts
        .iter()
        .map(|p| p.parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(|_| "must be whole percents separated by commas, such as 80, 100".to_owned())
}

impl BudgetDraft {
    /// The form showing `b` (to edit it).
    pub fn from_budget(b: &Budget) -> Self {
        Self {
            id: b.id.clone(),
            name: b.name.clone(),
            kind: if b.currency.is_some() {
                BudgetKind::Amount
            } else {
                BudgetKind::Quantity
            },
            subscription: b.billing_subscription_id.clone().unwrap_or_default(),
            currency: b.currency.clone().unwrap_or_default(),
            threshold: b.threshold.clone(),
            alert_at: levels_text(&b.alert_at),
        }
    }

    /// The id the budget is saved under: the one typed, else one made from the name.
    pub fn budget_id(&self) -> String {
        match self.id.trim() {
            "" => id_from_name(&self.name),
            id => id.to_owned(),
        }
    }

    /// The body of `PUT …/budgets/{id}` and its id, checked by the contract crate's rules
    /// ([`BudgetInput::validate`]); else every problem, named as the API names it (`budgetId`
    /// for the id).
    pub fn to_input(&self) -> Result<(String, BudgetInput), Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = self.budget_id();
        if let Err(e) = check_budget_id(&id) {
            errors.push(FieldError::new("budgetId", e));
        }
        let alert_at = match parse_alert_at(&self.alert_at) {
            Ok(l) => l,
            Err(e) => {
                errors.push(FieldError::new("alertAt", e));
                None
            }
        };
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let input = BudgetInput {
            name: Some(self.name.clone()),
            billing_subscription_id: match self.kind {
                BudgetKind::Quantity => Some(self.subscription.trim().to_owned()),
                BudgetKind::Amount => None,
            },
            currency: match self.kind {
                BudgetKind::Quantity => None,
                BudgetKind::Amount => Some(self.currency.trim().to_owned()),
            },
            threshold: text(&self.threshold),
            alert_at,
        };
        if let Err(e) = input.validate() {
            for f in e {
                // An alert list that did not parse is already named.
                if !errors.iter().any(|x| x.name == f.name) {
                    errors.push(f);
                }
            }
        }
        if errors.is_empty() {
            Ok((id, input))
        } else {
            Err(errors)
        }
    }
}

/// For a new budget: why its id cannot be used (another budget of the realm has it, and a PUT
/// would replace that one).
pub fn id_in_use(existing: &[Budget], id: &str) -> Option<FieldError> {
    existing.iter().find(|b| b.id == id).map(|b| {
        FieldError::new(
            "budgetId",
            format!(
                "is the id of the budget “{}”: edit that one, or choose another id",
                b.name
            ),
        )
    })
}

/// Alert levels for people: `80, 100`.
pub fn levels_text(levels: &[u32]) -> String {
    levels
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The default alert levels as the form shows them.
pub fn default_levels_text() -> String {
    levels_text(&DEFAULT_ALERT_AT)
}

/// A budget's progress bar: positions in thousandths of the bar's width (0..=1000), over a
/// scale from 0 to `scale` percent of the threshold (100 %, or more when usage, the forecast
/// or an alert level goes past it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The percent at the bar's right end.
    pub scale: u32,
    /// Where `used` ends.
    pub used: u32,
    /// Where the forecast is, if there is one.
    pub forecast: Option<u32>,
    /// Each alert level and where it is.
    pub marks: Vec<(u32, u32)>,
    /// Where the threshold (100 %) is.
    pub threshold: u32,
}

/// The most the bar's scale goes to, in percent: beyond, the bar is full.
pub const BAR_SCALE_MAX: u32 = 1000;

/// `part` of `whole` (both exact decimals) in percent, as tenths; none when either is not a
/// number or `whole` is not above 0.
pub fn percent_tenths(part: &str, whole: &str) -> Option<i64> {
    let (p, w) = (Quantity::parse(part).ok()?, Quantity::parse(whole).ok()?);
    (w.milli() > 0).then(|| {
        let t = i128::from(p.milli()) * 1000 / i128::from(w.milli());
        i64::try_from(t).unwrap_or(i64::MAX)
    })
}

/// The bar of budget `b`.
pub fn bar(b: &Budget) -> Bar {
    let used = percent_tenths(&b.used, &b.threshold).unwrap_or(0).max(0);
    let forecast = b
        .forecast
        .as_deref()
        .and_then(|f| percent_tenths(f, &b.threshold))
        .map(|f| f.max(0));
    let top_level = b.alert_at.iter().copied().max().unwrap_or(100);
    let highest = [used, forecast.unwrap_or(0), i64::from(top_level) * 10, 1000]
        .into_iter()
        .max()
        .unwrap_or(1000);
    // Round the scale up to a multiple of 10 %.
    let scale = u32::try_from(((highest + 99) / 100) * 10)
        .unwrap_or(BAR_SCALE_MAX)
        .min(BAR_SCALE_MAX);
    let at = |tenths: i64| -> u32 {
        let pos = tenths * 100 / i64::from(scale);
        u32::try_from(pos.clamp(0, 1000)).unwrap_or(1000)
    };
    Bar {
        scale,
        used: at(used),
        forecast: forecast.map(at),
        marks: b
            .alert_at
            .iter()
            .map(|&l| (l, at(i64::from(l) * 10)))
            .collect(),
        threshold: at(1000),
    }
}

/// A state in words, for people (never shown by colour alone).
pub fn state_words(state: BudgetState) -> &'static str {
    match state {
        BudgetState::Ok => "On track",
        BudgetState::Warning => "Warning",
        BudgetState::Exceeded => "Exceeded",
    }
}

/// The highest alert level `b` has reached this month (by its `crossedAt`), if any.
pub fn highest_crossed(b: &Budget) -> Option<u32> {
    b.crossed_at
        .keys()
        .filter_map(|k| k.parse::<u32>().ok())
        .max()
}

/// The budgets that call for attention (warning or exceeded), worst first, then by name.
pub fn needing_attention(budgets: &[Budget]) -> Vec<&Budget> {
    let rank = |s: BudgetState| match s {
        BudgetState::Exceeded => 0,
        BudgetState::Warning => 1,
        BudgetState::Ok => 2,
    };
    let mut out: Vec<&Budget> = budgets
        .iter()
        .filter(|b| b.state != BudgetState::Ok)
        .collect();
    out.sort_by(|a, b| {
        rank(a.state)
            .cmp(&rank(b.state))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// What a budget needing attention has done, in words: `“Routing” is exceeded`, `“Spend” has
/// reached its 80 % alert level`.
pub fn attention_text(b: &Budget) -> String {
    match (
        b.state,
        highest_crossed(b).or_else(|| b.alert_at.first().copied()),
    ) {
        (BudgetState::Exceeded, _) => format!("“{}” is exceeded", b.name),
        (_, Some(level)) => format!("“{}” has reached its {level} % alert level", b.name),
        (_, None) => format!("“{}” needs attention", b.name),
    }
}

/// The budgets past an alert level that have not been announced yet: each with the level,
/// and the key (`<id>:<month>:<level>`) to remember it by, so that it is announced once.
pub fn to_announce<'a>(budgets: &'a [Budget], announced: &[String]) -> Vec<(&'a Budget, String)> {
    budgets
        .iter()
        .filter_map(|b| {
            let level = highest_crossed(b).or_else(|| {
                (b.state != BudgetState::Ok)
                    .then(|| b.alert_at.first().copied())
                    .flatten()
            })?;
            let key = format!("{}:{}:{level}", b.id, b.month);
            (!announced.contains(&key)).then_some((b, key))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn budget(id: &str, used: &str, threshold: &str, state: BudgetState) -> Budget {
        Budget {
            id: id.to_owned(),
            name: format!("Budget {id}"),
            billing_subscription_id: Some("SUB-1".to_owned()),
            value_driver: Some("Transactions".to_owned()),
            currency: None,
            threshold: threshold.to_owned(),
            alert_at: vec![80, 100],
            month: "2027-03".to_owned(),
            used: used.to_owned(),
            forecast: None,
            percent: 0.0,
            state,
            crossed_at: BTreeMap::new(),
            updated: usage_api::Timestamp::parse("2027-03-01").unwrap(),
        }
    }

    fn names(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|f| f.name).collect()
    }

    #[test]
    fn ids_are_made_from_names() {
        assert_eq!(id_from_name(" Routing – Q1 budget! "), "routing-q1-budget");
        assert_eq!(id_from_name("über"), "ber");
        assert_eq!(id_from_name(&"a".repeat(80)).len(), 64);
        assert_eq!(id_from_name("!!!"), "");
    }

    #[test]
    fn the_form_is_checked_by_the_contract_rules() {
        let d = BudgetDraft {
            name: "Routing".into(),
            subscription: "SUB-1".into(),
            threshold: "1500.5".into(),
            ..Default::default()
        };
        let (id, input) = d.to_input().unwrap();
        assert_eq!(id, "routing");
        assert_eq!(input.billing_subscription_id.as_deref(), Some("SUB-1"));
        assert_eq!((input.currency, input.alert_at), (None, None));
        let amount = BudgetDraft {
            id: "spend".into(),
            name: "Spend".into(),
            kind: BudgetKind::Amount,
            subscription: "SUB-1".into(),
            currency: "EUR".into(),
            threshold: "250.00".into(),
            alert_at: "50, 90 100%".into(),
        };
        let (_, input) = amount.to_input().unwrap();
        assert_eq!(
            input.billing_subscription_id, None,
            "an amount names no subscription"
        );
        assert_eq!(input.alert_at, Some(vec![50, 90, 100]));
        let bad = BudgetDraft {
            id: "no spaces".into(),
            kind: BudgetKind::Amount,
            currency: "eur".into(),
            threshold: "-1".into(),
            alert_at: "80, lots".into(),
            ..Default::default()
        };
        assert_eq!(
            names(bad.to_input().unwrap_err()),
            ["budgetId", "alertAt", "name", "currency", "threshold"]
        );
        let levels = BudgetDraft {
            alert_at: "80, 80".into(),
            ..d.clone()
        };
        assert_eq!(names(levels.to_input().unwrap_err()), ["alertAt"]);
        let no_sub = BudgetDraft {
            subscription: " ".into(),
            ..d
        };
        assert_eq!(
            names(no_sub.to_input().unwrap_err()),
            ["billingSubscriptionId"]
        );
    }

    #[test]
    fn a_budget_is_edited_as_it_is() {
        let mut b = budget("x", "10", "250.00", BudgetState::Ok);
        b.currency = Some("EUR".into());
        b.billing_subscription_id = None;
        b.alert_at = vec![50, 100];
        let d = BudgetDraft::from_budget(&b);
        assert_eq!(
            (d.kind, d.alert_at.as_str()),
            (BudgetKind::Amount, "50, 100")
        );
        let (id, input) = d.to_input().unwrap();
        assert_eq!(id, "x");
        assert_eq!(input.currency.as_deref(), Some("EUR"));
        assert_eq!(input.threshold.as_deref(), Some("250.00"));
    }

    #[test]
    fn the_bar_places_usage_forecast_and_levels() {
        let mut b = budget("x", "40", "100", BudgetState::Ok);
        b.forecast = Some("90".into());
        let bar = bar(&b);
        assert_eq!(bar.scale, 100);
        assert_eq!(
            (bar.used, bar.forecast, bar.threshold),
            (400, Some(900), 1000)
        );
        assert_eq!(bar.marks, [(80, 800), (100, 1000)]);
        // Past the threshold, the scale grows so that the end of usage shows.
        b.used = "150".into();
        b.forecast = Some("300.5".into());
        let over = super::bar(&b);
        assert_eq!(over.scale, 310);
        assert_eq!(over.used, 483);
        assert_eq!(over.threshold, 322);
        assert_eq!(over.forecast, Some(969));
        // An absurd forecast is capped at the bar's end.
        b.forecast = Some("100000".into());
        assert_eq!(super::bar(&b).forecast, Some(1000));
        assert_eq!(super::bar(&b).scale, BAR_SCALE_MAX);
    }

    #[test]
    fn attention_and_announcements() {
        let mut warn = budget("w", "85", "100", BudgetState::Warning);
        warn.crossed_at.insert(
            "80".into(),
            usage_api::Timestamp::parse("2027-03-10").unwrap(),
        );
        let mut over = budget("o", "120", "100", BudgetState::Exceeded);
        over.crossed_at.insert(
            "80".into(),
            usage_api::Timestamp::parse("2027-03-02").unwrap(),
        );
        over.crossed_at.insert(
            "100".into(),
            usage_api::Timestamp::parse("2027-03-05").unwrap(),
        );
        let ok = budget("k", "1", "100", BudgetState::Ok);
        let all = vec![ok, warn, over];
        let ids: Vec<&str> = needing_attention(&all)
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(ids, ["o", "w"]);
        let first = to_announce(&all, &[]);
        let keys: Vec<&str> = first.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(keys, ["w:2027-03:80", "o:2027-03:100"]);
        assert!(to_announce(&all, &["w:2027-03:80".into(), "o:2027-03:100".into()]).is_empty());
        // A higher level reached later is announced again.
        assert_eq!(
            to_announce(&all, &["o:2027-03:80".into(), "w:2027-03:80".into()]).len(),
            1
        );
        assert_eq!(state_words(BudgetState::Exceeded), "Exceeded");
        assert!(id_in_use(&all, "w").is_some());
        assert_eq!(attention_text(&all[2]), "“Budget o” is exceeded");
        assert_eq!(
            attention_text(&all[1]),
            "“Budget w” has reached its 80 % alert level"
        );
        assert!(id_in_use(&all, "new").is_none());
    }
}
