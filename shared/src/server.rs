//! Building one service's HTTP application: the same middleware, fallbacks, operations
//! endpoints and documentation for every service; only the routes differ.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::TokenStore;
use crate::db::{COMMON, Db, Migrations, ROSTER_COPY};
use crate::events::api::Incarnation;
use crate::events::dispatcher::Dispatcher;
use crate::events::metrics::EventMetrics;
use crate::events::{EventHandler, EventSink};
use crate::http::body::BodyLimit;
use crate::http::docs::{self, OpenApiJson};
use crate::http::drain::{self, Drain};
use crate::http::metrics::{self, Metrics};
use crate::http::{health, problem, request_id};
use crate::roster::snapshot::SnapshotRequest;
use crate::settings::Settings;
use crate::{events, roster};

/// The four services, by the names used in settings, logs and metrics.
pub const SERVICE_NAMES: [&str; 4] = [
    "staffing",
    "training-record",
    "process-change",
    "scheduling",
];

/// What makes one service: its name, its documentation, its tables and its routes.
pub struct ServiceDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub migrations: Migrations,
    /// Registers the service's own handlers (each with its `#[utoipa::path]`).
    pub routes: fn(&mut ServiceConfig),
    /// Keeps a copy of staffing's roster, fed by its events (and serves `/v1/roster/...`).
    pub roster_copy: bool,
    /// Applies the events this service reacts to, beyond the roster copy.
    pub on_event: EventHandler,
}

impl ServiceDef {
    /// The service's OpenAPI document, collected from the same attributes that route.
    pub fn openapi(&self) -> OpenApi {
        let (_, doc) = App::new()
            .into_utoipa_app()
            .openapi(docs::base_document(self.title, self.description))
            .configure(|cfg| common_routes(self.roster_copy, cfg))
            .configure(self.routes)
            .split_for_parts();
        let mut doc = doc;
        events::payloads::document(&mut doc);
        doc
    }

    fn migration_sets(&self) -> Vec<Migrations> {
        let mut sets = vec![COMMON];
        if self.roster_copy {
            sets.push(ROSTER_COPY);
        }
        sets.push(self.migrations);
        sets
    }
}

/// What every service serves besides its own routes; the document and the server both
/// register through here, so they cannot differ.
fn common_routes(roster_copy: bool, cfg: &mut ServiceConfig) {
    operations_routes(cfg);
    events::api::routes(cfg);
    if roster_copy {
        roster::api::routes(cfg);
    }
}

fn operations_routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::prometheus_metrics)
        .service(docs::openapi_json)
        .service(docs::docs_redirect);
}

/// A bound, running service.
pub struct Application {
    name: &'static str,
    port: u16,
    db: Db,
    server: Server,
    dispatcher: Option<Dispatcher>,
    snapshot: Option<SnapshotRequest>,
    drain: Arc<Drain>,
}

impl Application {
    /// Opens the database (migrating it), binds the configured host and port (0 for any)
    /// and prepares the server; it serves once [`Application::run`] is awaited.
    pub async fn build(def: &ServiceDef, settings: &Settings) -> anyhow::Result<Self> {
        let section = settings
            .service(def.name)
            .ok_or_else(|| anyhow::anyhow!("unknown service {}", def.name))?;
        let url = settings.database_url(def.name)?;
        let db_settings = settings.database.clone();
        let migrations = def.migration_sets();
        let db =
            tokio::task::spawn_blocking(move || Db::open(&url, &db_settings, migrations)).await??;
        let listener =
            TcpListener::bind((settings.http.host.as_str(), section.port)).map_err(|e| {
                anyhow::anyhow!("{} cannot listen on port {}: {e}", def.name, section.port)
            })?;
        let incarnation = db.write(events::incarnation::local).await?;
        Self::serve(def, settings, db, listener, incarnation)
    }

    fn serve(
        def: &ServiceDef,
        settings: &Settings,
        db: Db,
        listener: TcpListener,
        incarnation: String,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let doc = def.openapi();
        let openapi_json = web::Data::new(OpenApiJson(doc.to_json()?));
        let route_table = web::Data::new(problem::RouteTable::from_openapi(&doc));
        let drain = Arc::new(Drain::default());
        let drain_data = web::Data::new(Arc::clone(&drain));
        let metrics = web::Data::new(Metrics::new(def.name)?);
        let dispatcher = if settings.events.dispatcher {
            let event_metrics = EventMetrics::register(&metrics.registry)?;
            Some(Dispatcher::new(
                def.name,
                db.clone(),
                settings,
                event_metrics,
            )?)
        } else {
            None
        };
        let snapshot = def
            .roster_copy
            .then(|| SnapshotRequest::new(def.name, db.clone(), settings, incarnation.clone()));
        let incarnation = web::Data::new(Incarnation(incarnation));
        let sink = web::Data::new(EventSink {
            roster_copy: def.roster_copy,
            on_event: def.on_event,
        });
        let tokens = web::Data::new(TokenStore::from_settings(settings));
        let shared_settings = web::Data::new(settings.clone());
        let body_limit = web::Data::new(BodyLimit(settings.http.body_limit_bytes));
        let db_data = web::Data::new(db.clone());
        let routes = def.routes;
        let roster_copy = def.roster_copy;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(db_data.clone())
                .app_data(tokens.clone())
                .app_data(metrics.clone())
                .app_data(openapi_json.clone())
                .app_data(route_table.clone())
                .app_data(shared_settings.clone())
                .app_data(body_limit.clone())
                .app_data(sink.clone())
                .app_data(drain_data.clone())
                .app_data(incarnation.clone())
                .app_data(problem::query_config())
                .app_data(problem::path_config())
                .into_utoipa_app()
                .configure(|cfg| common_routes(roster_copy, cfg))
                .configure(routes)
                .into_app()
                .service(docs::explorer())
                .default_service(web::to(problem::fallback))
                .wrap(from_fn(problem::localize))
                .wrap(from_fn(drain::track))
                .wrap(from_fn(metrics::track))
                .wrap(from_fn(request_id::request_id))
        })
        .disable_signals()
        .shutdown_timeout(settings.http.shutdown_timeout_seconds);
        if settings.http.workers > 0 {
            server = server.workers(settings.http.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            name: def.name,
            port,
            db,
            server,
            dispatcher,
            snapshot,
            drain,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Requests in flight, for draining before the server stops.
    pub fn drain(&self) -> Arc<Drain> {
        Arc::clone(&self.drain)
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through the handle; requests in flight finish first. The
    /// outbox dispatcher runs alongside and stops with the server: what it had claimed
    /// but not settled is delivered again after its lease, and receivers drop repeats.
    pub async fn run(self) -> std::io::Result<()> {
        let background: Vec<_> = [
            self.dispatcher.map(|d| tokio::spawn(d.run())),
            self.snapshot.map(|s| tokio::spawn(s.run())),
        ]
        .into_iter()
        .flatten()
        .collect();
        let result = self.server.await;
        for task in background {
            task.abort();
        }
        result
    }
}
