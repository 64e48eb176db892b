//! `docs/openapi.json` against the router: the document `/api/openapi.json` serves is the checked-in
//! one; its paths are exactly the routes `daemon/src/http.rs` declares; every operation in it is
//! called and answers from its handler (never the router's bare 404 or 405); every `/admin`
//! operation answers 401 without the token.

use crate::util;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use scoreline::http::state::AppState;
use scoreline::store::Store;
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
            // The router's own 404 has no body; a handler's names what it did not find.
            if status == StatusCode::NOT_FOUND && path != "/metrics" {
                let err: Value = serde_json::from_slice(&body)
                    .unwrap_or_else(|_| panic!("{method} {uri}: 404 without a handler's body"));
                assert!(err["error"].is_string(), "{method} {uri}: {err}");
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
