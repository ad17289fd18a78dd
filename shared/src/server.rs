//! Building one service's HTTP application from its definition: the same middleware,
//! fallbacks, operations endpoints, event endpoints and documentation for every service;
//! the service adds its routes and, through its `setup`, its state, tasks and jobs.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use continuity_contract::ServiceName;
use futures_util::future::BoxFuture;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::TokenStore;
use crate::clock::Clock;
use crate::db::{COMMON, Db, Migrations};
use crate::events::api::{Declaration, Incarnation};
use crate::events::dispatcher::Dispatcher;
use crate::events::metrics::EventMetrics;
use crate::events::{EventSink, incarnation, peers};
use crate::http::body::BodyLimit;
use crate::http::docs::{self, OpenApiJson};
use crate::http::drain::{self, Drain};
use crate::http::metrics::{self, Metrics};
use crate::http::{health, problem, request_id};
use crate::roster::SnapshotRequest;
use crate::scheduler::Scheduler;
use crate::service::{Extensions, Platform, ServiceDef};
use crate::settings::Settings;
use crate::{audit, events};

impl ServiceDef {
    /// The service's OpenAPI document, collected from the same attributes that route, with
    /// the errors the platform answers on every operation's behalf.
    pub fn openapi(&self) -> OpenApi {
        let (_, doc) = App::new()
            .into_utoipa_app()
            .openapi(docs::base_document(self.title, self.description))
            .configure(common_routes)
            .configure(self.routes)
            .split_for_parts();
        let mut doc = doc;
        continuity_contract::document(&mut doc);
        docs::document_errors(&mut doc);
        doc
    }

    fn migration_sets(&self) -> Vec<Migrations> {
        std::iter::once(COMMON)
            .chain(self.migrations.iter().copied())
            .collect()
    }
}

/// What every service serves besides its own routes; the document and the server both
/// register through here, so they cannot differ.
fn common_routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::prometheus_metrics)
        .service(docs::openapi_json)
        .service(docs::docs_redirect);
    events::api::routes(cfg);
    audit::api::routes(cfg);
}

/// A bound service, ready to run.
pub struct Application {
    name: ServiceName,
    port: u16,
    db: Db,
    server: Server,
    background: Vec<BoxFuture<'static, ()>>,
    drain: Arc<Drain>,
}

impl Application {
    /// Opens the database (migrating it), binds the configured host and port (0 for any),
    /// runs the service's setup and prepares the server; it serves once
    /// [`Application::run`] is awaited. Time is the system clock in the company's zone.
    pub async fn build(def: &ServiceDef, settings: &Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(def, settings, Clock::system(settings.time_zone())).await
    }

    /// Like [`Application::build`], with the clock given (tests set the time).
    pub async fn build_with_clock(
        def: &ServiceDef,
        settings: &Settings,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let name = def.service_name()?;
        let port = settings.service(&name).port.unwrap_or(def.default_port);
        let url = settings.database_url(&name)?;
        let db_settings = settings.database.clone();
        let migrations = def.migration_sets();
        // Start-up's own log lines (migrations) carry the service's span too.
        let span = tracing::Span::current();
        let db = tokio::task::spawn_blocking(move || {
            span.in_scope(|| Db::open(&url, &db_settings, migrations))
        })
        .await??;
        let listener = TcpListener::bind((settings.http.host.as_str(), port))
            .map_err(|e| anyhow::anyhow!("{name} cannot listen on port {port}: {e}"))?;
        let incarnation = db
            .write(incarnation::local)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.chain()))?;
        let configured: Vec<ServiceName> =
            settings.peers(&name).into_iter().map(|(p, _)| p).collect();
        let now = clock.now().naive_utc();
        db.write(move |c| peers::sync_configured(c, &configured, now))
            .await
            .map_err(|e| anyhow::anyhow!("{}", crate::ApiError::from(e).chain()))?;
        let platform = Platform {
            name: name.clone(),
            settings: settings.clone(),
            db: db.clone(),
            clock: clock.clone(),
        };
        let mut extensions = (def.setup)(&platform)
            .map_err(|e| anyhow::anyhow!("{name} could not be set up: {e:#}"))?;
        for write in std::mem::take(&mut extensions.on_start) {
            let now = clock.now();
            db.write(move |c| write(c, now))
                .await
                .map_err(|e| anyhow::anyhow!("{name} could not start: {}", e.chain()))?;
        }
        Self::serve(def, platform, extensions, listener, incarnation)
    }

    fn serve(
        def: &ServiceDef,
        platform: Platform,
        ext: Extensions,
        listener: TcpListener,
        incarnation: String,
    ) -> anyhow::Result<Self> {
        let Platform {
            name,
            settings,
            db,
            clock,
        } = platform;
        let port = listener.local_addr()?.port();
        let doc = def.openapi();
        let openapi_json = web::Data::new(OpenApiJson(doc.to_json()?));
        let route_table = web::Data::new(problem::RouteTable::from_openapi(&doc));
        let drain = Arc::new(Drain::default());
        let drain_data = web::Data::new(Arc::clone(&drain));
        let metrics = web::Data::new(Metrics::new(name.as_str())?);
        metrics.registry.register(Box::new(db.write_durations()))?;
        for collector in ext.collectors {
            metrics.registry.register(collector)?;
        }
        // Every configured peer's backlog reads 0 before anything is queued for it.
        let peer_names = settings
            .peers(&name)
            .into_iter()
            .map(|(p, _)| p.to_string());
        let event_metrics =
            EventMetrics::register(&metrics.registry)?.with_subscribers(peer_names.collect());

        let mut background = ext.tasks;
        if settings.events.dispatcher {
            let d = Dispatcher::new(&name, db.clone(), clock.clone(), &settings, event_metrics)?;
            background.push(Box::pin(d.run()));
        }
        if let Some(copy) = &ext.roster {
            let producer = copy.producer().clone();
            let s = SnapshotRequest::new(
                name.clone(),
                producer,
                db.clone(),
                &settings,
                incarnation.clone(),
            );
            background.push(Box::pin(s.run()));
        }
        if settings.scheduler.enabled && !ext.jobs.is_empty() {
            let replica = format!("{name}/{}", crate::ids::new_id());
            let every = std::time::Duration::from_secs(settings.scheduler.tick_seconds);
            let scheduler = Scheduler::new(db.clone(), clock.clone(), replica, ext.jobs);
            background.push(Box::pin(scheduler.run(every)));
        }

        let declaration = web::Data::new(Declaration {
            service: name.clone(),
            event_types: def.all_subscriptions().map(|s| s.event_type).collect(),
        });
        let incarnation = web::Data::new(Incarnation(incarnation));
        let sink = web::Data::new(EventSink::new(ext.roster, ext.handler, def.subscriptions));
        let tokens = web::Data::new(TokenStore::from_settings(&settings));
        let body_limit = web::Data::new(BodyLimit(settings.http.body_limit_bytes));
        let clock_data = web::Data::new(clock);
        let db_data = web::Data::new(db.clone());
        let (workers, shutdown) = (
            settings.http.workers,
            settings.http.shutdown_timeout_seconds,
        );
        let shared_settings = web::Data::new(settings);
        let service_data = ext.data;
        let routes = def.routes;
        let mut server = HttpServer::new(move || {
            let service_data = service_data.clone();
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
                .app_data(declaration.clone())
                .app_data(clock_data.clone())
                .app_data(problem::query_config())
                .app_data(problem::path_config())
                .into_utoipa_app()
                .configure(move |cfg| service_data.iter().for_each(|register| register(cfg)))
                .configure(common_routes)
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
        .shutdown_timeout(shutdown);
        if workers > 0 {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            name,
            port,
            db,
            server,
            background,
            drain,
        })
    }

    pub fn name(&self) -> &ServiceName {
        &self.name
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
    /// background tasks (the outbox dispatcher, the scheduler, the service's own) run
    /// alongside and stop with the server: what the dispatcher had claimed but not settled
    /// is delivered again after its lease, and receivers drop repeats.
    pub async fn run(self) -> std::io::Result<()> {
        let tasks: Vec<_> = self.background.into_iter().map(tokio::spawn).collect();
        let result = self.server.await;
        for task in tasks {
            task.abort();
        }
        result
    }
}
