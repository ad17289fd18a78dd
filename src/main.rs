//! The embedded default: all four services in one process, each on its own port with its
//! own database, calling each other over HTTP on loopback exactly as when deployed apart.
//! With `--demo`, a new installation is filled with a sample company once it listens.

use clap::Parser;

/// All four Continuity services in one process. Settings: continuity.toml (or the file
/// CONTINUITY_CONFIG names) and CONTINUITY_* variables; by default SQLite files in ./data.
#[derive(Parser)]
#[command(name = "continuity", version)]
struct Args {
    /// Fill a new installation with a sample company (about 300 employees, a CRM project,
    /// recorded training, published notices); an installation with data is left as it is.
    #[arg(long)]
    demo: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let after_start = args.demo.then(continuity::demo::after_start);
    continuity_shared::launcher::main_with(&continuity::SERVICES, after_start)
}
