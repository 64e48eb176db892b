//! The webhook routes of the admin API (behind the bearer token): `GET /admin/webhooks` lists
//! every subscription with its state and counts, `POST /admin/webhooks` adds one (the spec as
//! JSON), `DELETE /admin/webhooks/{name}` removes one added that way. Subscriptions from the
//! config are listed but read-only.

use super::commands::listing;
use crate::http::error::ApiError;
use crate::http::extract::Path;
use crate::http::state::{AppState, on_store};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use serde_json::{Value, json};

/// `GET /admin/webhooks`: `{"webhooks":[...]}` as `scoreline webhooks list --json`.
pub async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (rows, disabled, counts) = on_store(&state.store, |s| {
        Ok((
            s.webhook_subscriptions()?,
            s.disabled_webhooks()?,
            s.webhook_delivery_counts()?,
        ))
    })
    .await?;
    let mut specs = Vec::new();
    for row in rows {
        let source = if row.source == Source::Config.as_str() {
            Source::Config
        } else {
            Source::Api
        };
        match serde_json::from_str::<SubscriptionSpec>(&row.spec_json) {
            Ok(spec) => specs.push((source, spec)),
            Err(e) => {
                tracing::warn!(subscription = %row.name, error = %e, "stored webhook subscription is invalid")
            }
        }
    }
    let listed = listing(specs, &disabled, &counts);
    Ok(Json(json!({ "webhooks": listed })).into_response())
}

/// `POST /admin/webhooks`: 201 with the subscription (secret redacted); 400 for an invalid
/// spec, 409 when the name is taken.
pub async fn create(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(mut body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    integral_numbers(&mut body);
    let spec: SubscriptionSpec = serde_json::from_value(body)
        .map_err(|e| ApiError::BadRequest(format!("not a webhook subscription: {e}")))?;
    let sub = Subscription::from_spec(spec, Source::Api)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let name = sub.name.clone();
    let stored = serde_json::to_string(&sub.spec).map_err(|e| ApiError::Internal(e.to_string()))?;
    let key = name.clone();
    let added = on_store(&state.store, move |s| {
        s.add_webhook_subscription(&key, &stored, Utc::now())
    })
    .await?;
    if !added {
        return Err(ApiError::Conflict(format!(
            "a webhook subscription named `{name}` exists"
        )));
    }
    tracing::info!(subscription = %name, url = %sub.url, "webhook subscription added");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "webhook": sub.spec.redacted() })),
    )
        .into_response())
}

/// Every number in `value` with no fraction (`5.0`) as an integer (`5`): JSON does not tell
/// them apart, and serde's integer fields take only the second.
fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let integral = n.as_f64().and_then(|f| {
                // `as` saturates; the range checks make the conversions exact.
                if f.fract() != 0.0 {
                    None
                } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    Some(Value::from(f as u64))
                } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                    Some(Value::from(f as i64))
                } else {
                    None
                }
            });
            if let Some(i) = integral {
                *value = i;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// `DELETE /admin/webhooks/{name}`: 204; 404 when unknown, 409 for a config subscription. Its
/// pending deliveries are failed.
pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let key = name.clone();
    let source = on_store(&state.store, move |s| {
        s.delete_webhook_subscription(&key, Utc::now())
    })
    .await?;
    match source.as_deref() {
        None => Err(ApiError::NotFound(format!(
            "no webhook subscription named `{name}`"
        ))),
        Some("config") => Err(ApiError::Conflict(format!(
            "webhook subscription `{name}` is defined in the config file and is read-only here"
        ))),
        Some(_) => {
            tracing::info!(subscription = %name, "webhook subscription deleted");
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_no_fraction_become_integers() {
        let mut v = json!({"daily_limit": 176454345.0, "cooldown_secs": 5, "x": [2.0, -3.0, 0.5], "y": 1e30});
        integral_numbers(&mut v);
        assert_eq!(v["daily_limit"], json!(176454345));
        assert!(v["daily_limit"].is_u64());
        assert_eq!(v["cooldown_secs"], json!(5));
        assert!(v["x"][0].is_u64() && v["x"][1].is_i64());
        assert_eq!(v["x"][2], json!(0.5));
        assert!(v["y"].is_f64());
    }
}
