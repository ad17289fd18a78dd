//! Draining on shutdown: requests in flight are counted, and once the process is told to
//! stop, new requests are turned away (503, `Connection: close`) while those in flight
//! finish. Only then is the HTTP server stopped, so that no answer in the making is cut
//! off, whatever the server library does with busy connections when it stops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::text;

#[derive(Debug, Default)]
pub struct Drain {
    in_flight: AtomicUsize,
    draining: AtomicBool,
}

struct InFlight(Arc<Drain>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drain {
    /// Turns new requests away from now on.
    pub fn start(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until nothing is in flight, or `within` has passed; true if drained.
    pub async fn settled(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.in_flight() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

/// Middleware: counts the request while it is served; refuses it once draining.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(drain) = req
        .app_data::<web::Data<Arc<Drain>>>()
        .map(|d| Arc::clone(d.get_ref()))
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    drain.in_flight.fetch_add(1, Ordering::SeqCst);
    let guard = InFlight(drain);
    if guard.0.draining.load(Ordering::SeqCst) {
        let lang = Lang::negotiate(req.headers());
        let mut res = ApiError::unavailable(text!(
            "The service is shutting down; retry in a moment.",
            "服务正在停止，请稍后重试。"
        ))
        .to_response(lang);
        res.head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
        return Ok(req.into_response(res).map_into_right_body());
    }
    let res = next.call(req).await;
    drop(guard);
    res.map(ServiceResponse::map_into_left_body)
}
