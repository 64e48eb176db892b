//! The two InfluxDB HTTP APIs a sink speaks: setting up the database and retention policies
//! (v1, InfluxQL over `/query`) or buckets with retention rules (v2, `/api/v2/buckets`), and
//! building one write request (`/write?db=&rp=&precision=ns` or
//! `/api/v2/write?org=&bucket=&precision=ns`) with a gzip body.

use super::config::{PolicyConfig, SinkConfig, SinkKind};
use serde_json::{Value, json};
use std::time::Duration;
use thiserror::Error;

/// Setting up a sink's database, policies or buckets failed.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The server could not be reached or did not answer in time.
    #[error("influxdb at {url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// What reqwest said.
        message: String,
    },
    /// The server answered with an error.
    #[error("influxdb at {url} answered {status}: {message}")]
    Status {
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// An InfluxQL statement failed (v1 answers 200 with an `error` in the result).
    #[error("influxql `{statement}` failed: {message}")]
    Query {
        /// The statement.
        statement: String,
        /// The server's message.
        message: String,
    },
    /// The answer was not what the API documents.
    #[error("unexpected answer from {url}: {message}")]
    Unexpected {
        /// The URL.
        url: String,
        /// What was wrong.
        message: String,
    },
}

/// An InfluxQL duration literal: `INF` or whole seconds (`63072000s`). Pure.
pub fn influxql_duration(d: Option<Duration>) -> String {
    match d {
        None => "INF".to_string(),
        Some(d) => format!("{}s", d.as_secs()),
    }
}

/// A double-quoted InfluxQL identifier. Pure.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `CREATE` or `ALTER RETENTION POLICY` for `p` on `database`. Pure.
pub fn policy_statement(database: &str, p: &PolicyConfig, exists: bool) -> String {
    let mut q = format!(
        "{} RETENTION POLICY {} ON {} DURATION {} REPLICATION {}",
        if exists { "ALTER" } else { "CREATE" },
        ident(&p.name),
        ident(database),
        influxql_duration(p.duration),
        p.replication
    );
    if let Some(s) = p.shard_duration {
        q.push_str(&format!(" SHARD DURATION {}", influxql_duration(Some(s))));
    }
    if p.default {
        q.push_str(" DEFAULT");
    }
    q
}

/// The v2 `retentionRules` of `p`. Pure.
pub fn retention_rules(p: &PolicyConfig) -> Value {
    let mut rule = json!({
        "type": "expire",
        "everySeconds": p.duration.map_or(0, |d| d.as_secs()),
    });
    if let Some(s) = p.shard_duration {
        rule["shardGroupDurationSeconds"] = json!(s.as_secs());
    }
    json!([rule])
}

/// Gzip `body`. Pure.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    if enc.write_all(body).is_err() {
        return Vec::new();
    }
    enc.finish().unwrap_or_default()
}

/// The write request for a gzip `body` of lines into `policy`.
pub fn write_request(
    client: &reqwest::Client,
    cfg: &SinkConfig,
    policy: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let req = match &cfg.kind {
        SinkKind::V1 { database, auth } => {
            let r = client.post(format!("{}/write", cfg.url)).query(&[
                ("db", database.as_str()),
                ("rp", policy),
                ("precision", "ns"),
            ]);
            match auth {
                Some((u, p)) => r.basic_auth(u, Some(p)),
                None => r,
            }
        }
        SinkKind::V2 { org, token } => client
            .post(format!("{}/api/v2/write", cfg.url))
            .query(&[
                ("org", org.as_str()),
                ("bucket", policy),
                ("precision", "ns"),
            ])
            .header("Authorization", format!("Token {token}")),
    };
    req.header("Content-Encoding", "gzip")
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(body)
}

/// Create the database and create or alter every retention policy (v1), or create or update
/// every bucket (v2). Idempotent.
pub async fn setup(client: &reqwest::Client, cfg: &SinkConfig) -> Result<(), ApiError> {
    match &cfg.kind {
        SinkKind::V1 { database, auth } => setup_v1(client, cfg, database, auth.as_ref()).await,
        SinkKind::V2 { org, token } => setup_v2(client, cfg, org, token).await,
    }
}

async fn send(url: &str, req: reqwest::RequestBuilder) -> Result<Value, ApiError> {
    let resp = req.send().await.map_err(|e| ApiError::Network {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| ApiError::Network {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    if !(200..300).contains(&status) {
        return Err(ApiError::Status {
            url: url.to_string(),
            status,
            message: server_message(&text),
        });
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected {
        url: url.to_string(),
        message: format!("not json: {e}"),
    })
}

/// The `error`/`message` of a JSON error body, or the body itself (trimmed, at most 500 chars).
pub fn server_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        for k in ["error", "message"] {
            if let Some(m) = v.get(k).and_then(Value::as_str) {
                return m.to_string();
            }
        }
    }
    body.trim().chars().take(500).collect()
}

async fn influxql(
    client: &reqwest::Client,
    cfg: &SinkConfig,
    auth: Option<&(String, String)>,
    statement: &str,
) -> Result<Value, ApiError> {
    let url = format!("{}/query", cfg.url);
    let mut req = client.post(&url).form(&[("q", statement)]);
    if let Some((u, p)) = auth {
        req = req.basic_auth(u, Some(p));
    }
    let v = send(&url, req).await?;
    let results = v.get("results").and_then(Value::as_array);
    if let Some(e) = results
        .into_iter()
        .flatten()
        .find_map(|r| r.get("error").and_then(Value::as_str))
    {
        return Err(ApiError::Query {
            statement: statement.to_string(),
            message: e.to_string(),
        });
    }
    Ok(v)
}

async fn setup_v1(
    client: &reqwest::Client,
    cfg: &SinkConfig,
    database: &str,
    auth: Option<&(String, String)>,
) -> Result<(), ApiError> {
    influxql(
        client,
        cfg,
        auth,
        &format!("CREATE DATABASE {}", ident(database)),
    )
    .await?;
    let shown = influxql(
        client,
        cfg,
        auth,
        &format!("SHOW RETENTION POLICIES ON {}", ident(database)),
    )
    .await?;
    let existing = policy_names(&shown);
    // The default one last, so it ends up the default whatever the order in the file.
    let mut ordered: Vec<&PolicyConfig> = cfg.policies.iter().collect();
    ordered.sort_by_key(|p| p.default);
    for p in ordered {
        let exists = existing.iter().any(|n| n == &p.name);
        influxql(client, cfg, auth, &policy_statement(database, p, exists)).await?;
    }
    Ok(())
}

/// The policy names in a `SHOW RETENTION POLICIES` answer. Pure.
pub fn policy_names(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in v
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for s in r
            .get("series")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let cols = s.get("columns").and_then(Value::as_array);
            let idx = cols
                .and_then(|c| c.iter().position(|x| x.as_str() == Some("name")))
                .unwrap_or(0);
            for row in s
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = row.get(idx).and_then(Value::as_str) {
                    out.push(n.to_string());
                }
            }
        }
    }
    out
}

async fn setup_v2(
    client: &reqwest::Client,
    cfg: &SinkConfig,
    org: &str,
    token: &str,
) -> Result<(), ApiError> {
    let auth = format!("Token {token}");
    let url = format!("{}/api/v2/orgs", cfg.url);
    let orgs = send(
        &url,
        client
            .get(&url)
            .query(&[("org", org)])
            .header("Authorization", &auth),
    )
    .await?;
    let org_id = orgs
        .get("orgs")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|o| o.get("name").and_then(Value::as_str) == Some(org))
        })
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::Unexpected {
            url: url.clone(),
            message: format!("no organisation named `{org}`"),
        })?
        .to_string();
    for p in &cfg.policies {
        let url = format!("{}/api/v2/buckets", cfg.url);
        let found = send(
            &url,
            client
                .get(&url)
                .query(&[("orgID", org_id.as_str()), ("name", p.name.as_str())])
                .header("Authorization", &auth),
        )
        .await?;
        let id = found
            .get("buckets")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .find(|b| b.get("name").and_then(Value::as_str) == Some(&p.name))
            })
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        match id {
            None => {
                let body = json!({
                    "orgID": org_id,
                    "name": p.name,
                    "retentionRules": retention_rules(p),
                });
                send(
                    &url,
                    client
                        .post(&url)
                        .header("Authorization", &auth)
                        .header("Content-Type", "application/json")
                        .body(body.to_string()),
                )
                .await?;
            }
            Some(id) => {
                let url = format!("{}/api/v2/buckets/{id}", cfg.url);
                let body = json!({ "retentionRules": retention_rules(p) });
                send(
                    &url,
                    client
                        .patch(&url)
                        .header("Authorization", &auth)
                        .header("Content-Type", "application/json")
                        .body(body.to_string()),
                )
                .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoreline_core::influx::schema::Policy;

    fn policy(default: bool, shard: Option<u64>) -> PolicyConfig {
        PolicyConfig {
            name: "live".into(),
            role: Policy::Live,
            duration: Some(Duration::from_secs(730 * 86_400)),
            shard_duration: shard.map(Duration::from_secs),
            replication: 1,
            default,
        }
    }

    #[test]
    fn policy_statements() {
        assert_eq!(
            policy_statement("scoreline", &policy(true, Some(7 * 86_400)), false),
            "CREATE RETENTION POLICY \"live\" ON \"scoreline\" DURATION 63072000s REPLICATION 1 \
             SHARD DURATION 604800s DEFAULT"
        );
        let mut p = policy(false, None);
        p.duration = None;
        assert_eq!(
            policy_statement("scoreline", &p, true),
            "ALTER RETENTION POLICY \"live\" ON \"scoreline\" DURATION INF REPLICATION 1"
        );
        assert_eq!(ident("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn retention_rules_and_names() {
        assert_eq!(
            retention_rules(&policy(true, Some(604_800))),
            json!([{"type": "expire", "everySeconds": 63_072_000, "shardGroupDurationSeconds": 604_800}])
        );
        let shown = json!({"results": [{"statement_id": 0, "series": [{
            "columns": ["name", "duration", "shardGroupDuration", "replicaN", "default"],
            "values": [["autogen", "0s", "168h0m0s", 1, false], ["live", "17520h0m0s", "168h0m0s", 1, true]]
        }]}]});
        assert_eq!(policy_names(&shown), ["autogen", "live"]);
        assert_eq!(
            server_message("{\"error\":\"database not found: \\\"x\\\"\"}"),
            "database not found: \"x\""
        );
        assert_eq!(server_message(" plain \n"), "plain");
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let body = b"m f=1i 1\nm f=2i 2\n".repeat(100);
        let z = gzip(&body);
        assert!(z.len() < body.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&z[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
    }
}
