//! The query's enumerations, each with its wire names and parsing in one place.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $wire)] $var),+ }

        // By hand: a derive does not see the `rename` of a macro fragment and would list the
        // Rust names.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [Self] = &[$(Self::$var),+];
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$var => $wire),+ }
            }
            /// Parses the wire name exactly.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some(Self::$var),)+ _ => None }
            }
            /// The wire names joined for a message: `a, b or c`.
            pub fn choices() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => names.join(""),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Time buckets of the result.
    DetailLevel {
        /// One record per group over the whole range.
        Summarized = "summarized",
        /// Hourly buckets (UTC).
        Hour = "hour",
        /// Daily buckets (UTC).
        Day = "day",
        /// Calendar-month buckets (UTC).
        Month = "month",
    }
);

// Not derived: the variants come from the `wire_enum!` macro.
#[allow(clippy::derivable_impls)]
impl Default for DetailLevel {
    fn default() -> Self {
        Self::Summarized
    }
}

wire_enum!(
    /// Dimensions a query can add to the grouping.
    GroupDim {
        /// The application id.
        AppId = "appId",
        /// The billing tag.
        BillingTag = "billingTag",
        /// The project HRN (shown as `projectHrn`).
        Project = "project",
        /// The subscription's usage type code.
        UsageTypeCode = "usageTypeCode",
        /// The metered resource.
        Resource = "resource",
    }
);

impl GroupDim {
    /// The item key this dimension appears under.
    pub fn item_key(self) -> &'static str {
        match self {
            Self::Project => "projectHrn",
            other => other.as_str(),
        }
    }
}

wire_enum!(
    /// Storage channel of a usage record.
    Channel {
        /// Hot storage.
        Hot = "hot",
        /// Cold storage.
        Cold = "cold",
    }
);

wire_enum!(
    /// Item fields a query may keep with `usageFields`.
    UsageField {
        /// The org.
        RealmId = "realmId",
        /// The feature (HRN).
        FeatureId = "featureId",
        /// The subscription.
        BillingSubscriptionId = "billingSubscriptionId",
        /// The charge number.
        BillingChargeNumber = "billingChargeNumber",
        /// The category.
        Category = "category",
        /// The charge item's name.
        Name = "name",
        /// The unit.
        ValueDriver = "valueDriver",
        /// Sum of reported quantities.
        UsageValue = "usageValue",
        /// Sum of accepted quantities.
        BillableValue = "billableValue",
        /// The metered resource.
        Resource = "resource",
    }
);
