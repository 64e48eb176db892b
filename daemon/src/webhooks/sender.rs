//! One webhook attempt over HTTP: check the target, sign, POST, report the answer. Two shared
//! clients: one whose resolver refuses non-public addresses (subscriptions without
//! `allow_private`), one without that check. Neither follows redirects or uses a proxy, so the
//! address checked is the address sent to.

use super::error::WebhookError;
use super::resolve::{self, PublicOnly};
use chrono::{DateTime, Utc};
use scoreline_core::webhooks::sign;
use scoreline_core::webhooks::subscription::Subscription;
use scoreline_core::webhooks::target::TargetError;
use std::sync::Arc;
use std::time::Duration;

/// The whole-attempt timeout.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    /// The HTTP status; none when no answer came.
    pub status: Option<u16>,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    /// What went wrong (a non-2xx status, a timeout, a refused target, ...).
    pub error: Option<String>,
    /// The target was refused (a non-public address); never retried.
    pub refused: bool,
}

/// Sends attempts. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sender {
    strict: reqwest::Client,
    open: reqwest::Client,
}

impl Sender {
    /// Build both clients with `timeout` per attempt.
    pub fn new(timeout: Duration) -> Result<Sender, WebhookError> {
        let base = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(format!("scoreline-webhooks/{}", env!("CARGO_PKG_VERSION")))
        };
        let client_err = |e: reqwest::Error| WebhookError::Client(e.to_string());
        Ok(Sender {
            strict: base()
                .dns_resolver(Arc::new(PublicOnly))
                .build()
                .map_err(client_err)?,
            open: base().build().map_err(client_err)?,
        })
    }

    /// POST `body` to `sub` as message `webhook_id`, signed at `now`.
    pub async fn send(
        &self,
        sub: &Subscription,
        webhook_id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> AttemptResult {
        let client = if sub.allow_private {
            &self.open
        } else {
            if let Err(e) = resolve::check(&sub.url).await {
                let refused = matches!(e, TargetError::Private { .. });
                return AttemptResult {
                    status: None,
                    retry_after: None,
                    error: Some(e.to_string()),
                    refused,
                };
            }
            &self.strict
        };
        let h = sign::sign(&sub.secret, webhook_id, now, body);
        let sent = client
            .post(sub.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &h.id)
            .header("webhook-timestamp", &h.timestamp)
            .header("webhook-signature", &h.signature)
            .body(body.to_owned())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                // Read (and drop) the body so the connection can be reused.
                let _ = resp.bytes().await;
                AttemptResult {
                    status: Some(status),
                    retry_after,
                    error: (!(200..300).contains(&status))
                        .then(|| format!("endpoint answered {status}")),
                    refused: false,
                }
            }
            Err(e) => {
                let refused = refused_by_resolver(&e);
                AttemptResult {
                    status: None,
                    retry_after: None,
                    error: Some(error_chain(&e)),
                    refused,
                }
            }
        }
    }
}

fn refused_by_resolver(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if matches!(
            err.downcast_ref::<TargetError>(),
            Some(TargetError::Private { .. })
        ) {
            return true;
        }
        cur = err.source();
    }
    false
}

fn error_chain(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut cur = std::error::Error::source(e);
    while let Some(err) = cur {
        text.push_str(": ");
        text.push_str(&err.to_string());
        cur = err.source();
    }
    text
}
