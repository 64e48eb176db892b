//! `docs/openapi.json` against the router: the document `/api/openapi.json` serves is the checked-in
//! one; its paths are exactly the routes `daemon/src/http.rs` declares; every operation in it is
//! called and answers from its handler (never the router's 404 or 405); every `/admin` operation
//! answers 401 without the token; every error (a bad query string, path or body, no route, a
//! method a route does not serve) is JSON `{"error"}` with a status the document lists; and the
//! document's enums are the daemon's (statuses, event types, time zones).

use crate::util;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use scoreline::http::state::AppState;
use scoreline_core::events::EventType;
use scoreline_core::model::GameStatus;
use scoreline_store::Store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use tower::ServiceExt;

const TOKEN: &str = "openapi-test-token";

fn document() -> Value {
    let text = std::fs::read_to_string(util::root().join("docs/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn state() -> AppState {
    AppState {
        admin_token: Some(Arc::from(TOKEN)),
        ..AppState::new(Store::open_in_memory().unwrap())
    }
}

/// The paths `http.rs` routes, read from its source: `.route("PATH", ...)` or `.route(\n "PATH"`.
fn routed_paths() -> BTreeSet<String> {
    let source = std::fs::read_to_string(util::root().join("daemon/src/http.rs")).unwrap();
    source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

/// `{id}` and friends filled with sample values.
fn concrete(path: &str) -> String {
    path.replace("{id}", "401")
        .replace("{player}", "p1")
        .replace("{name}", "nobody")
}

async fn call(
    method: &Method,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = Request::builder().method(method.clone()).uri(uri);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = if *method == Method::POST {
        request = request.header(header::CONTENT_TYPE, "application/json");
        Body::from(if uri.starts_with("/admin/plugins") {
            ""
        } else {
            "{}"
        })
    } else {
        Body::empty()
    };
    let response = scoreline::http::app(state())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let ctype = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // An event stream never ends: its status and type are the answer.
    let body = if ctype.as_deref() == Some("text/event-stream") {
        Vec::new()
    } else {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    };
    (status, ctype, body)
}

#[tokio::test]
async fn the_served_document_is_the_checked_in_one() {
    let (status, ctype, body) = call(&Method::GET, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype.as_deref(), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), document());
    assert_eq!(document()["openapi"], "3.1.0");
}

#[test]
fn the_document_lists_exactly_the_routes_the_router_serves() {
    let documented: BTreeSet<String> = document()["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(documented, routed_paths());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served_by_its_handler() {
    let doc = document();
    let mut called = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let admin = op.get("security").is_some();
            let uri = concrete(path);
            let (status, ctype, body) = call(&method, &uri, admin.then_some(TOKEN)).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            // The router's own 404 says `no route`; a handler's names what it did not find.
            if status == StatusCode::NOT_FOUND && path != "/metrics" {
                let err: Value = serde_json::from_slice(&body)
                    .unwrap_or_else(|_| panic!("{method} {uri}: 404 without a JSON body"));
                let message = err["error"].as_str().unwrap_or_default();
                assert!(
                    !message.is_empty() && !message.starts_with("no route"),
                    "{method} {uri}: {err}"
                );
            }
            // Every answer is one the document lists for the operation.
            let listed = op["responses"].get(status.as_str()).is_some();
            assert!(
                listed,
                "{method} {uri} answered {status}, not in the document"
            );
            if let Some(ctype) = ctype {
                let documented = op["responses"][status.as_str()]["content"]
                    .as_object()
                    .map(|c| c.keys().any(|k| ctype.starts_with(k.as_str())));
                assert_ne!(documented, Some(false), "{method} {uri}: {ctype}");
            }
            if admin {
                let (status, _, _) = call(&method, &uri, None).await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {uri} without a token"
                );
            }
            called += 1;
        }
    }
    assert_eq!(called, 22);
}

/// `(status, content type, body)` of `request` through the router.
async fn send(
    request: Request<Body>,
) -> (StatusCode, Option<String>, axum::http::HeaderMap, Value) {
    let response = scoreline::http::app(state())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, ctype, headers, body)
}

#[tokio::test]
async fn every_error_is_json_with_a_status_the_document_lists() {
    let doc = document();
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let admin = |method: Method, uri: &str, body: Vec<u8>| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::from(body))
            .unwrap()
    };
    // (operation path and method, request, status, a piece of the message)
    let cases: Vec<(&str, &str, Request<Body>, StatusCode, &str)> = vec![
        (
            "/api/v1/games",
            "get",
            get("/api/v1/games?limit=-1"),
            StatusCode::BAD_REQUEST,
            "query string `limit=-1`: limit: invalid digit",
        ),
        (
            "/api/v1/games",
            "get",
            get("/api/v1/games?status=over"),
            StatusCode::BAD_REQUEST,
            "unknown game status `over`",
        ),
        (
            "/api/v1/games/{id}",
            "get",
            get("/api/v1/games/%FF"),
            StatusCode::BAD_REQUEST,
            "path `/api/v1/games/%FF`: invalid UTF-8 in `id`",
        ),
        (
            "/api/v1/players/{id}/scoring-history",
            "get",
            get("/api/v1/players/p1/scoring-history?plays=null"),
            StatusCode::BAD_REQUEST,
            "plays",
        ),
        (
            "/api/v1/events/stream",
            "get",
            get("/api/v1/events/stream?heartbeat_secs=null"),
            StatusCode::BAD_REQUEST,
            "heartbeat_secs",
        ),
        (
            "/api/v1/events/stream",
            "get",
            Request::get("/api/v1/events/stream")
                .header(
                    "Last-Event-ID",
                    axum::http::HeaderValue::from_bytes(b"\xc2\x84").unwrap(),
                )
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "Last-Event-ID is not visible ASCII",
        ),
        (
            "/api/v1/events/stream",
            "get",
            Request::get("/api/v1/events/stream")
                .header("Last-Event-ID", "+5")
                .body(Body::empty())
                .unwrap(),
            StatusCode::NOT_FOUND,
            "no logged event has the id `+5`",
        ),
        (
            "/admin/plugins",
            "post",
            admin(Method::POST, "/admin/plugins", b"\0asm".to_vec()),
            StatusCode::BAD_REQUEST,
            "missing field `name`",
        ),
        (
            "/admin/schedule",
            "post",
            admin(
                Method::POST,
                "/admin/schedule?league=nfl&format=csv&format=json",
                b"x".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "duplicate field `format`",
        ),
        (
            "/admin/schedule",
            "post",
            admin(
                Method::POST,
                "/admin/schedule?league=xfl",
                b"date,time,home_team,away_team\n".to_vec(),
            ),
            StatusCode::NOT_FOUND,
            "league `xfl` is not an enabled league",
        ),
        (
            "/admin/schedule",
            "post",
            admin(
                Method::POST,
                "/admin/schedule?league=nfl",
                vec![b' '; scoreline::schedule_ingest::MAX_SCHEDULE_BYTES + 1],
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "length limit exceeded",
        ),
        (
            "/admin/webhooks",
            "post",
            {
                let mut r = admin(
                    Method::POST,
                    "/admin/webhooks",
                    b"{\"name\": \"\"}".to_vec(),
                );
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
                r
            },
            StatusCode::BAD_REQUEST,
            "not a webhook subscription: missing field `url`",
        ),
        (
            "/admin/status",
            "get",
            get("/admin/status"),
            StatusCode::UNAUTHORIZED,
            "bearer token",
        ),
    ];
    for (path, method, request, want, needle) in cases {
        let uri = request.uri().to_string();
        let (status, ctype, _, body) = send(request).await;
        assert_eq!(status, want, "{method} {uri}: {body}");
        assert_eq!(ctype.as_deref(), Some("application/json"), "{method} {uri}");
        let message = body["error"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{method} {uri}: {message}");
        let listed = &doc["paths"][path][method]["responses"][status.as_str()];
        assert!(
            listed.is_object(),
            "{method} {path} answers {status}, not in the document"
        );
    }

    // No route at all: 404; a method a route does not serve: 405 with `Allow`.
    let (status, ctype, _, body) = send(get("/api/v2/nothing")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype.as_deref(), Some("application/json"));
    assert_eq!(body["error"], "no route for GET /api/v2/nothing");
    let delete = Request::delete("/api/v1/games")
        .body(Body::empty())
        .unwrap();
    let (status, ctype, headers, body) = send(delete).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(ctype.as_deref(), Some("application/json"));
    assert_eq!(body["error"], "DELETE is not allowed on /api/v1/games");
    assert_eq!(headers[header::ALLOW], "GET,HEAD");
    let put = admin(Method::PUT, "/admin/webhooks", Vec::new());
    let (status, _, headers, body) = send(put).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(headers[header::ALLOW], "GET,HEAD,POST");
}

#[test]
fn the_document_enums_are_the_daemons() {
    let doc = document();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let schemas = &doc["components"]["schemas"];
    let statuses: Vec<String> = GameStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(strings(&schemas["GameStatus"]["enum"]), statuses);
    let types: Vec<String> = EventType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    assert_eq!(strings(&schemas["EventType"]["enum"]), types);
    let zones: Vec<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name().to_owned())
        .collect();
    assert_eq!(strings(&schemas["TimeZone"]["enum"]), zones);
    // `status=` filters by one of them, or by none when empty.
    let list = &doc["paths"]["/api/v1/games"]["get"]["parameters"];
    let status = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .unwrap();
    let mut with_empty = vec![String::new()];
    with_empty.extend(statuses);
    assert_eq!(strings(&status["schema"]["enum"]), with_empty);
}
