//! The local store of uploaded materials: a directory under the data directory. An upload
//! is streamed to a temporary file while its size and SHA-256 are computed, and renamed
//! into place only once complete; a temporary file is removed whenever its upload does
//! not finish (an error, a client gone, the request dropped).

use std::path::{Path, PathBuf};

use actix_web::web::Bytes;
use continuity_shared::error::ErrorKind;
use continuity_shared::{ApiError, ApiResult, text};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Where materials live.
#[derive(Debug, Clone)]
pub struct Storage {
    dir: PathBuf,
    pub max_bytes: u64,
}

/// A completed upload, in place under `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub size_bytes: u64,
    pub sha256: String,
}

/// Removes the file at `path` when dropped, unless disarmed.
struct Cleanup(Option<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        text!(
            "The file is larger than the limit of {limit} bytes.",
            "文件超过 {limit} 字节的上限。"
        ),
    )
}

impl Storage {
    pub fn new(dir: PathBuf, max_bytes: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir.join("tmp"))?;
        Ok(Self { dir, max_bytes })
    }

    /// The file of a stored key (keys are UUIDs the service made: no path in them).
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// Streams `body` to the store under `key`: at most `max_bytes`, else 413 and
    /// nothing kept; with a declared length, exactly that many bytes, else the upload was
    /// cut off (the stream can end quietly when the client goes away) and nothing is kept.
    pub async fn receive<S, E>(
        &self,
        key: &str,
        declared: Option<u64>,
        mut body: S,
    ) -> ApiResult<Stored>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let tmp = self.dir.join("tmp").join(format!("{key}.part"));
        let mut guard = Cleanup(Some(tmp.clone()));
        let mut file = tokio::fs::File::create(&tmp)
            .await
            .map_err(ApiError::internal)?;
        let mut hash = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::malformed(text!("The upload was interrupted: {e}", "上传中断：{e}"))
            })?;
            size += chunk.len() as u64;
            if size > self.max_bytes {
                return Err(too_large(self.max_bytes));
            }
            hash.update(&chunk);
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        if declared.is_some_and(|n| n != size) {
            return Err(ApiError::malformed(text!(
                "The upload ended after {size} bytes of the declared Content-Length.",
                "上传在 {size} 字节处中断，少于声明的 Content-Length。"
            )));
        }
        file.flush().await.map_err(ApiError::internal)?;
        file.sync_all().await.map_err(ApiError::internal)?;
        drop(file);
        tokio::fs::rename(&tmp, self.path(key))
            .await
            .map_err(ApiError::internal)?;
        guard.0 = None;
        Ok(Stored {
            key: key.to_owned(),
            size_bytes: size,
            sha256: hex::encode(hash.finalize()),
        })
    }

    /// Removes a stored file (a row that could not be written).
    pub async fn remove(&self, key: &str) {
        let _ = tokio::fs::remove_file(self.path(key)).await;
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
