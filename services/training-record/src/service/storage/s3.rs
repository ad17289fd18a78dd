//! Materials in an S3-compatible object store, so several replicas share them: uploads
//! go up as multipart puts while they arrive (a few parts of 5 MiB in memory at most),
//! an upload that does not finish is aborted, and content is read back by byte range.

use std::sync::Arc;

use actix_web::web::Bytes;
use continuity_shared::{ApiError, ApiResult, text};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{
    BackoffConfig, GetOptions, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart,
};
use secrecy::ExposeSecret;

use crate::settings::TrainingSettings;

/// Parts being sent at once: what bounds the memory an upload holds.
const PARTS_IN_FLIGHT: usize = 2;

/// The bucket materials are kept in.
#[derive(Clone)]
pub struct S3 {
    store: Arc<dyn ObjectStore>,
    bucket: String,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3").field("bucket", &self.bucket).finish()
    }
}

impl S3 {
    /// The store the settings name (`s3_bucket` set), with the usual `AWS_*` variables
    /// filling what the settings leave out.
    pub fn from_settings(s: &TrainingSettings, bucket: &str) -> anyhow::Result<Self> {
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_allow_http(s.s3_allow_http)
            // A store that is down answers a request in seconds, not after the default
            // three minutes of retries.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 2,
                retry_timeout: std::time::Duration::from_secs(10),
            });
        if let Some(v) = &s.s3_endpoint {
            b = b.with_endpoint(v);
        }
        if let Some(v) = &s.s3_region {
            b = b.with_region(v);
        }
        if let Some(v) = &s.s3_access_key_id {
            b = b.with_access_key_id(v);
        }
        if let Some(v) = &s.s3_secret_access_key {
            b = b.with_secret_access_key(v.expose_secret());
        }
        Ok(Self {
            store: Arc::new(b.build()?),
            bucket: bucket.to_owned(),
        })
    }

    pub async fn writer(&self, key: &str) -> ApiResult<S3Writer> {
        let upload = self
            .store
            .put_multipart(&Path::from(key))
            .await
            .map_err(unavailable)?;
        Ok(S3Writer(Some(WriteMultipart::new(upload))))
    }

    /// `len` bytes of the object from `start`.
    pub async fn read(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> ApiResult<BoxStream<'static, std::io::Result<Bytes>>> {
        if len == 0 {
            return Ok(futures_util::stream::empty().boxed());
        }
        let got = self
            .store
            .get_opts(
                &Path::from(key),
                GetOptions::new().with_range(Some(start..start + len)),
            )
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => super::missing(key, e),
                e => unavailable(e),
            })?;
        Ok(got
            .into_stream()
            .map(|r| r.map_err(std::io::Error::other))
            .boxed())
    }

    pub async fn remove(&self, key: &str) {
        if let Err(e) = self.store.delete(&Path::from(key)).await {
            tracing::warn!(key, error = %e, "an object could not be removed");
        }
    }
}

/// 503: the bucket cannot be reached or refused the request (network, credentials,
/// permissions): the operator's to fix, logged with the store's error; nothing is kept.
fn unavailable(e: object_store::Error) -> ApiError {
    ApiError::unavailable(text!(
        "The recordings' storage cannot be reached or refused the request; try again later.",
        "录像存储无法访问或拒绝了请求，请稍后重试。"
    ))
    .with_source(format!("object store: {e}"))
}

/// An object being written; aborted (its parts removed) unless finished.
pub struct S3Writer(Option<WriteMultipart>);

impl S3Writer {
    pub async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        let Some(w) = self.0.as_mut() else {
            return Ok(());
        };
        w.wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(unavailable)?;
        w.write(chunk);
        Ok(())
    }

    pub async fn finish(mut self) -> ApiResult<()> {
        if let Some(w) = self.0.take() {
            w.finish().await.map_err(unavailable)?;
        }
        Ok(())
    }
}

impl Drop for S3Writer {
    fn drop(&mut self) {
        if let Some(w) = self.0.take() {
            // Dropped with the request (an error, a client gone): the parts sent so far
            // are removed in the background.
            actix_web::rt::spawn(async move {
                if let Err(e) = w.abort().await {
                    tracing::warn!(error = %e, "an unfinished multipart upload could not be aborted");
                }
            });
        }
    }
}
