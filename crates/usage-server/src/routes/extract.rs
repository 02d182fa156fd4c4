//! Query-string extractors: the decoded pairs ([`QueryPairs`]) and the typed queries built
//! from them ([`Params`], through [`FromQueryPairs`]).
//!
//! Both reject with [`AppError`], so a bad query answers the contract's error body with its
//! `fields`. Extractors run in the order the handler lists them, so one listed after `Caller`
//! still lets a bad token's 401 answer first. A handler that authenticates later, or that
//! reports the query's problems together with the body's, takes `Result<QueryPairs, AppError>`
//! or `Result<Params<T>, AppError>` instead and applies the result with `?` once it may.

use super::query_pairs;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The query parameters as sent: decoded, in order, repeated keys kept (so a repeat can be
/// reported). A query string refused whole (too long, too many parameters) is a 400 naming
/// the field `query`, as [`query_pairs`] says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// The pairs as string slices, the form the contract's parsers take.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<S: Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        query_pairs(parts.uri.query()).map(Self)
    }
}

/// A query type an endpoint reads from its [`QueryPairs`], naming every bad parameter.
pub trait FromQueryPairs: Sized {
    /// Parses `pairs`; a 400 ([`AppError::Validation`]) names each offending parameter.
    fn from_query_pairs(pairs: &QueryPairs) -> Result<Self, AppError>;
}

/// The endpoint's query, parsed: a query string refused whole and one whose parameters are
/// wrong both reject with the 400 the endpoint has always answered.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<S: Sync, T: FromQueryPairs> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let pairs = QueryPairs::from_request_parts(parts, state).await?;
        T::from_query_pairs(&pairs).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::{FromQueryPairs, Params, QueryPairs};
    use crate::error::AppError;
    use axum::extract::FromRequestParts;

    async fn extract<T: FromRequestParts<(), Rejection = AppError>>(
        uri: &str,
    ) -> Result<T, AppError> {
        let (mut parts, ()) = axum::http::Request::builder()
            .uri(uri)
            .body(())
            .expect("request")
            .into_parts();
        T::from_request_parts(&mut parts, &()).await
    }

    fn fields(e: AppError) -> Vec<String> {
        match e {
            AppError::Validation(f) => f.into_iter().map(|f| f.name).collect(),
            other => panic!("not a 400: {other:?}"),
        }
    }

    /// Names the keys it was given, so the typed layer's plumbing can be seen.
    #[derive(Debug)]
    struct Keys(Vec<String>);

    impl FromQueryPairs for Keys {
        fn from_query_pairs(pairs: &QueryPairs) -> Result<Self, AppError> {
            if pairs.iter().any(|(k, _)| k == "bad") {
                return Err(AppError::field("bad", "is bad"));
            }
            Ok(Self(pairs.iter().map(|(k, _)| k.to_owned()).collect()))
        }
    }

    #[tokio::test]
    async fn pairs_are_decoded_in_order_with_repeats_kept() {
        let QueryPairs(pairs) = extract("/x?b=2&a=%20x&b=3").await.unwrap();
        let want = [("b", "2"), ("a", " x"), ("b", "3")].map(|(k, v)| (k.into(), v.into()));
        assert_eq!(pairs, want);
        let QueryPairs(none) = extract("/x").await.unwrap();
        assert!(none.is_empty());
    }

    #[tokio::test]
    async fn a_query_refused_whole_names_the_field_query() {
        let many = format!(
            "/x?{}",
            "a=1&".repeat(usage_api::limits::QUERY_PARAMS_MAX + 1)
        );
        let e = extract::<QueryPairs>(&many).await.unwrap_err();
        assert_eq!(fields(e), ["query"]);
        // The typed layer refuses it the same way, before its own parser runs.
        let e = extract::<Params<Keys>>(&format!("{many}bad=1"))
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["query"]);
    }

    #[tokio::test]
    async fn the_typed_layer_rejects_with_the_parsers_fields() {
        let Params(Keys(keys)) = extract("/x?a=1&c=2").await.unwrap();
        assert_eq!(keys, ["a", "c"]);
        let e = extract::<Params<Keys>>("/x?bad=1").await.unwrap_err();
        assert_eq!(fields(e), ["bad"]);
    }
}
