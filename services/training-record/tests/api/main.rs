//! Training-record's integration tests: the real service on a random port, over HTTP,
//! against a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod catchup;
mod coverage;
mod helpers;
mod materials;
mod memory;
mod playback_browser;
mod progress;
mod replicas;
mod roster_copy;
mod s3;
mod sessions;
mod tus_client;
mod uploads;
