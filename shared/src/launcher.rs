//! Process entry point shared by every binary: one service alone, or several together
//! (the embedded default runs the whole suite in one process). Loads settings, sets up
//! logging and credentials, starts the services and stops them cleanly on SIGINT or
//! SIGTERM. The services a process runs are each other's peers by default, on their
//! default ports; services run elsewhere are named in the configuration.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use tracing::Instrument;

use crate::server::Application;
use crate::service::ServiceDef;
use crate::settings::Settings;
use crate::{credentials, telemetry};

/// What a process does once its services listen (the demo fills them with sample data):
/// given the settings in effect (credentials filled in) and each service's port.
pub type AfterStart = Box<
    dyn FnOnce(Settings, Vec<(String, u16)>) -> futures_util::future::LocalBoxFuture<'static, ()>,
>;

/// Runs `services` until a shutdown signal; the exit code says whether start-up worked.
pub fn main(services: &[&ServiceDef]) -> ExitCode {
    main_with(services, None)
}

/// Like [`main`], running `after_start` once every service listens.
pub fn main_with(services: &[&ServiceDef], after_start: Option<AfterStart>) -> ExitCode {
    let defaults: String = services.iter().map(|d| d.default_section()).collect();
    let mut settings = match Settings::load(&defaults) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("continuity: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let creds = match credentials::ensure(&mut settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("continuity: credentials: {e:#}");
            return ExitCode::from(2);
        }
    };
    let terminal = std::io::stdout().is_terminal();
    let in_environment = |variable: &str| std::env::var_os(variable).is_some();
    if let Some(text) = credentials::banner(&creds, in_environment, terminal) {
        println!("{text}");
    }
    let result =
        actix_web::rt::System::new().block_on(run(services, settings, creds.file, after_start));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "start-up failed");
            eprintln!("continuity: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    services: &[&ServiceDef],
    settings: Settings,
    credentials: Option<std::path::PathBuf>,
    after_start: Option<AfterStart>,
) -> anyhow::Result<()> {
    let mut apps = Vec::with_capacity(services.len());
    for def in services {
        let app = Application::build(def, &settings)
            .instrument(tracing::info_span!("start", service = def.name))
            .await?;
        let url = settings.database_url(app.name())?;
        tracing::info!(service = def.name, port = app.port(), database = %url.redacted(), "service ready");
        apps.push(app);
    }
    let host = &settings.http.host;
    for app in &apps {
        println!(
            "{:<16} http://{host}:{}  (docs: http://{host}:{}/docs/)",
            app.name().as_str(),
            app.port(),
            app.port()
        );
    }
    match credentials {
        Some(file) => println!("Credentials: {}. Stop with Ctrl-C.", file.display()),
        None => println!("Credentials: from the settings. Stop with Ctrl-C."),
    }
    if let Some(hook) = after_start {
        let ports = apps
            .iter()
            .map(|a| (a.name().as_str().to_owned(), a.port()))
            .collect();
        // Spawned, so the servers (polled below) answer what it asks of them.
        actix_web::rt::spawn(hook(settings.clone(), ports));
    }
    let handles: Vec<_> = apps.iter().map(Application::handle).collect();
    let drains: Vec<_> = apps.iter().map(Application::drain).collect();
    let servers = futures_util::future::join_all(apps.into_iter().map(Application::run));
    tokio::pin!(servers);
    tokio::select! {
        results = &mut servers => {
            for r in results { r?; }
            return Ok(());
        }
        () = shutdown_signal() => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
    let grace = Duration::from_secs(settings.http.shutdown_timeout_seconds);
    // Turn new requests away and let those in flight finish before stopping the servers.
    drains.iter().for_each(|d| d.start());
    let in_flight: usize = drains.iter().map(|d| d.in_flight()).sum();
    tracing::info!(in_flight, "draining");
    for drain in &drains {
        if !drain.settled(grace).await {
            tracing::warn!(
                in_flight = drain.in_flight(),
                "requests still in flight at the deadline"
            );
        }
    }
    // A moment for the last answers to leave their sockets.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let grace = grace + Duration::from_secs(1);
    // The servers must keep being polled while they stop: join them with the stops.
    let stops = futures_util::future::join_all(handles.iter().map(|h| h.stop(true)));
    let _ = tokio::time::timeout(grace, futures_util::future::join(servers, stops)).await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
