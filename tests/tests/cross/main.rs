//! Cross-service tests: the services as separate processes (`continuity-node`, the same
//! launcher as the service binaries), each with its own database, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod delivery;
mod events;
mod harness;
mod plugin;
mod suite;
mod webhooks;
