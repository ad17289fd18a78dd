//! The staffing service alone.

fn main() -> std::process::ExitCode {
    continuity_shared::launcher::main(&[&staffing::SERVICE])
}
