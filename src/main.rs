//! The embedded default: all four services in one process, each on its own port with its
//! own database, calling each other over HTTP on loopback exactly as when deployed apart.

fn main() -> std::process::ExitCode {
    continuity_shared::launcher::main(&[
        &staffing::SERVICE,
        &training_record::SERVICE,
        &process_change::SERVICE,
        &scheduling::SERVICE,
    ])
}
