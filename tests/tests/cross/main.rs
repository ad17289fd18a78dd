//! Cross-service tests: the services as separate processes (`continuity-node`, the same
//! launcher as the service binaries), each with its own database, over real HTTP; and the
//! four services' OpenAPI documents, checked and kept as snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod delivery;
mod events;
mod handovers;
mod handovers_acknowledgments;
mod handovers_acknowledgments_restart;
mod handovers_training;
mod harness;
mod openapi;
mod plugin;
mod suite;
mod webhooks;
