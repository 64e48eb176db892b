//! Webhooks' pure rules: subscriptions (spec → validated subscription), Standard Webhooks
//! signing and bodies, the delivery policy (filters, cooldown, daily limit, retry schedule,
//! answer classes) and which target addresses are public. The daemon sends and stores.

pub mod policy;
pub mod sign;
pub mod subscription;
pub mod target;
