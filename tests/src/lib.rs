//! Cross-service tests live in `tests/cross/`; this crate's binary, `continuity-node`,
//! runs one service (or all) per process for them.
