//! Prometheus metrics: one registry per service (no globals, so four services can share a
//! process), requests by route and status, and a latency histogram.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::error::ApiError;

#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new(service: &str) -> anyhow::Result<Self> {
        let registry = Registry::new_custom(
            Some("continuity".into()),
            Some([("service".to_string(), service.to_string())].into()),
        )?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests served, by route and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }
}

/// Middleware: counts and times every request under its route pattern (not its raw path,
/// which would make one series per id).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        metrics.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// Prometheus text exposition of this service's metrics.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn prometheus_metrics(metrics: web::Data<Metrics>) -> Result<HttpResponse, ApiError> {
    let mut buf = Vec::new();
    TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut buf)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(buf))
}
