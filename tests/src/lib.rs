//! Helpers for the cross-service tests.
