//! Schedule ingestion with its effects: the one path `scoreline schedule ingest` and
//! `POST /admin/schedule` share (the league and zone looked up in the config, the pure
//! [`scoreline_core::ingest`] build against the store's teams, the store write in one transaction), and
//! that route's handler. A file with any bad row writes nothing; the error lists every unmapped
//! name and every bad row.

use crate::config::LeagueConfig;
use crate::http::extract::{Body, Query};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scoreline_core::ingest::{self, Format, IngestError, IngestedGame, Parsed, RowErrors};
use scoreline_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Largest schedule file `POST /admin/schedule` takes (a season of every league fits many
/// times over).
pub const MAX_SCHEDULE_BYTES: usize = 4 << 20;

/// A schedule that was not written.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The league is not configured.
    #[error("league `{0}` is not an enabled league of the config")]
    UnknownLeague(String),
    /// The zone given is not an IANA zone.
    #[error("`{0}` is not an IANA time zone")]
    Zone(String),
    /// The file was refused (unreadable, or bad rows); nothing was written.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The league `key` of `leagues` and the zone of the file's local times: `timezone` when given,
/// else the league's.
pub fn resolve<'c>(
    leagues: &'c [LeagueConfig],
    key: &str,
    timezone: Option<&str>,
) -> Result<(&'c LeagueConfig, Tz), ScheduleError> {
    let league = leagues
        .iter()
        .find(|l| l.key == key)
        .ok_or_else(|| ScheduleError::UnknownLeague(key.to_owned()))?;
    let zone = match timezone {
        Some(name) => name
            .parse::<Tz>()
            .map_err(|_| ScheduleError::Zone(name.to_owned()))?,
        None => league.timezone,
    };
    Ok((league, zone))
}

/// Map `parsed` against `league`'s catalogue (the store's teams and the config's
/// `[leagues.teams]`), with local times in `zone`, and write the games to the store's schedule
/// as source `ingest`, in one transaction: all of them, or none when any row is bad.
pub fn write(
    store: &Store,
    league: &LeagueConfig,
    zone: Tz,
    parsed: Parsed,
    now: DateTime<Utc>,
) -> Result<Vec<IngestedGame>, ScheduleError> {
    let known = store.teams(&league.key, &league.adapter)?;
    let catalogue = ingest::Catalogue::new(&known, &league.teams);
    let games = ingest::build(parsed, &catalogue, zone, &league.key)?;
    let rows: Vec<_> = games.iter().map(|g| g.to_game(&league.key)).collect();
    store.record_schedule(&league.key, &league.adapter, &rows, ingest::SOURCE, now)?;
    Ok(games)
}

/// The format of an uploaded body: `format` when given (`csv` or `json`), else the
/// `Content-Type` (`text/csv`, `application/json`, `...+json`), else the body's first
/// character (`[` or `{`: JSON). Pure.
pub fn upload_format(
    format: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Format, String> {
    if let Some(f) = format.filter(|f| !f.is_empty()) {
        return match f.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(format!("format `{f}` is neither `csv` nor `json`")),
        };
    }
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match mime.as_deref() {
        Some("text/csv") => return Ok(Format::Csv),
        Some(m) if m == "application/json" || m.ends_with("+json") => return Ok(Format::Json),
        _ => {}
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[' | b'{') => Ok(Format::Json),
        _ => Ok(Format::Csv),
    }
}

/// `POST /admin/schedule` query parameters.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    league: Option<String>,
    timezone: Option<String>,
    format: Option<String>,
}

/// One game written, as the upload answers it.
#[derive(Debug, Serialize)]
struct WrittenGame<'a> {
    id: &'a str,
    start_time: DateTime<Utc>,
    home: &'a str,
    away: &'a str,
    venue: Option<&'a str>,
}

/// An upload refused: `{"error": "..."}`, plus `unmapped` (every unknown team name with its
/// rows) and `bad_rows` when rows were at fault.
#[derive(Debug)]
pub struct UploadError {
    status: StatusCode,
    message: String,
    rows: Option<RowErrors>,
}

impl UploadError {
    fn bad_request(message: String) -> UploadError {
        UploadError {
            status: StatusCode::BAD_REQUEST,
            message,
            rows: None,
        }
    }
}

impl From<ScheduleError> for UploadError {
    fn from(error: ScheduleError) -> UploadError {
        let (status, rows) = match &error {
            ScheduleError::Ingest(IngestError::Rows(rows)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some(rows.clone()))
            }
            // Not a league of this daemon: nothing by that key, as an unknown id is.
            ScheduleError::UnknownLeague(_) => (StatusCode::NOT_FOUND, None),
            ScheduleError::Zone(_) | ScheduleError::Ingest(_) => (StatusCode::BAD_REQUEST, None),
            ScheduleError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
        };
        UploadError {
            status,
            message: error.to_string(),
            rows,
        }
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some(rows) = &self.rows {
            body["unmapped"] = rows
                .unmapped
                .iter()
                .map(|u| {
                    json!({
                        "name": u.name,
                        "rows": u.rows.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect();
            body["bad_rows"] = rows
                .bad
                .iter()
                .map(|(at, problem)| json!({ "row": at.to_string(), "problem": problem.to_string() }))
                .collect();
        }
        (self.status, Json(body)).into_response()
    }
}

/// `POST /admin/schedule?league=L[&timezone=ZONE][&format=csv|json]` with the schedule file as
/// the body: what `scoreline schedule ingest FILE --league L [--timezone ZONE]` does.
pub async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, UploadError> {
    let Some(key) = q.league.filter(|l| !l.is_empty()) else {
        return Err(UploadError::bad_request(
            "the `league` query parameter is required".into(),
        ));
    };
    // As reloaded, when the daemon can reload its config; else as started.
    let leagues = match &state.reloader {
        Some(reloader) => reloader.league_configs().await,
        None => state.leagues.to_vec(),
    };
    let (league, zone) = resolve(&leagues, &key, q.timezone.as_deref())?;
    let league = league.clone();
    if body.is_empty() {
        return Err(UploadError::bad_request(
            "the body must be the schedule file (CSV or JSON)".into(),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let format = upload_format(q.format.as_deref(), content_type, &body)
        .map_err(UploadError::bad_request)?;
    let store = state.store.clone();
    let now = Utc::now();
    let (league, games) = tokio::task::spawn_blocking(move || {
        let parsed = ingest::parse(format, &body)?;
        let games = write(&store, &league, zone, parsed, now)?;
        Ok::<_, ScheduleError>((league, games))
    })
    .await
    .map_err(|e| UploadError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("internal: {e}"),
        rows: None,
    })??;
    tracing::info!(league = %league.key, adapter = %league.adapter, games = games.len(), zone = %zone.name(), "schedule uploaded");
    let written: Vec<WrittenGame<'_>> = games
        .iter()
        .map(|g| WrittenGame {
            id: &g.id,
            start_time: g.start,
            home: &g.home.abbreviation,
            away: &g.away.abbreviation,
            venue: g.venue.as_deref(),
        })
        .collect();
    Ok(Json(json!({
        "league": league.key,
        "adapter": league.adapter,
        "timezone": zone.name(),
        "games_written": games.len(),
        "games": written,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parameter, content type, body, and the format they give (`None`: refused).
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, Option<Format>);

    #[test]
    fn the_upload_format_comes_from_the_parameter_the_type_or_the_body() {
        let cases: [Case<'_>; 9] = [
            (
                Some("csv"),
                Some("application/json"),
                "[]",
                Some(Format::Csv),
            ),
            (Some("JSON"), None, "date,time", Some(Format::Json)),
            (Some("xml"), None, "", None),
            (
                None,
                Some("text/csv; charset=utf-8"),
                "{",
                Some(Format::Csv),
            ),
            (None, Some("application/json"), "date", Some(Format::Json)),
            (
                None,
                Some("application/vnd.x+json"),
                "date",
                Some(Format::Json),
            ),
            (
                None,
                None,
                "\u{feff}  \n[{\"date\": 1}]",
                Some(Format::Json),
            ),
            (
                None,
                Some("text/plain"),
                "{\"games\": []}",
                Some(Format::Json),
            ),
            (
                None,
                None,
                "date,time,home_team,away_team\n",
                Some(Format::Csv),
            ),
        ];
        for (format, ctype, body, want) in cases {
            let got = upload_format(format, ctype, body.as_bytes()).ok();
            assert_eq!(got, want, "{format:?} {ctype:?} {body:?}");
        }
    }

    #[test]
    fn an_unknown_league_or_zone_is_named() {
        let leagues = [LeagueConfig {
            key: "nhl".into(),
            adapter: "espn".into(),
            timezone: chrono_tz::America::New_York,
            options: Vec::new(),
            cadence: Default::default(),
            teams: Vec::new(),
        }];
        let (l, zone) = resolve(&leagues, "nhl", None)
            .map_err(|e| e.to_string())
            .unwrap();
        assert_eq!(
            (l.key.as_str(), zone),
            ("nhl", chrono_tz::America::New_York)
        );
        let (_, zone) = resolve(&leagues, "nhl", Some("Europe/Paris")).unwrap();
        assert_eq!(zone, chrono_tz::Europe::Paris);
        let err = |key, tz| {
            resolve(&leagues, key, tz)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("nba", None),
            "league `nba` is not an enabled league of the config"
        );
        assert_eq!(
            err("nhl", Some("Mars/Olympus")),
            "`Mars/Olympus` is not an IANA time zone"
        );
    }
}
