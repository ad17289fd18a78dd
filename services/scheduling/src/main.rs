//! The scheduling service alone.

fn main() -> std::process::ExitCode {
    continuity_shared::launcher::main(&[&scheduling::SERVICE])
}
