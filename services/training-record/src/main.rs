//! The training-record service alone.

fn main() -> std::process::ExitCode {
    continuity_shared::launcher::main(&[&training_record::SERVICE])
}
