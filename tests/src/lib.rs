//! Cross-service tests live in `tests/cross/`; this crate's binaries are `continuity-node`,
//! which runs one service (or all) per process for them, and `bench-events`.

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

pub mod bench;
