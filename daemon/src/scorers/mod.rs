//! The daemon's side of scorers: `scoreline scorers`/`player` and the JSON shapes (`query`), and
//! the HTTP routes (`routes`). The rules are `scoreline_core::scorers`; the queries the store's.

pub mod query;
pub mod routes;
