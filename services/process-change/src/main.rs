//! The process-change service alone.

fn main() -> std::process::ExitCode {
    continuity_shared::launcher::main(&[&process_change::SERVICE])
}
