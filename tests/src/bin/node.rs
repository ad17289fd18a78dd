//! `continuity-node SERVICE|all`: runs one service, or all four, as a process of its own.

use std::process::ExitCode;

use continuity_shared::service::ServiceDef;

fn main() -> ExitCode {
    let all: [&ServiceDef; 4] = [
        &staffing::SERVICE,
        &training_record::SERVICE,
        &process_change::SERVICE,
        &scheduling::SERVICE,
    ];
    let wanted = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let chosen: Vec<&ServiceDef> = all
        .into_iter()
        .filter(|s| wanted == "all" || s.name == wanted)
        .collect();
    if chosen.is_empty() {
        eprintln!("usage: continuity-node staffing|training-record|process-change|scheduling|all");
        return ExitCode::from(2);
    }
    continuity_shared::launcher::main(&chosen)
}
