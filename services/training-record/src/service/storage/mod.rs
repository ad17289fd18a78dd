//! The store of uploaded materials: a directory under the data directory by default, or
//! an S3-compatible bucket when one is configured. An upload is streamed to a temporary
//! file (or a multipart object) while its size and SHA-256 are computed, and put in place
//! only once complete; one that does not finish (an error, a client gone, the request
//! dropped) leaves nothing. Resumable uploads gather in the local directory until whole.

mod s3;

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use actix_web::web::Bytes;
use continuity_shared::error::ErrorKind;
use continuity_shared::{ApiError, ApiResult, text};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub use s3::S3;
use s3::S3Writer;

use crate::domain::mp4::DurationProbe;
use crate::domain::upload::HashState;
use crate::domain::webm;

/// Where materials live.
#[derive(Debug, Clone)]
pub struct Storage {
    /// The local store, and where temporary files and resumable uploads gather.
    dir: PathBuf,
    /// The bucket that holds finished materials instead of `dir`, when configured.
    s3: Option<S3>,
    pub max_bytes: u64,
}

/// Where an upload is being written.
enum Sink {
    File {
        file: tokio::fs::File,
        tmp: PathBuf,
        guard: Cleanup,
    },
    Object(S3Writer),
}

impl Sink {
    async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        match self {
            Sink::File { file, .. } => file.write_all(chunk).await.map_err(ApiError::internal),
            Sink::Object(w) => w.write(chunk).await,
        }
    }

    /// Puts the whole file in place under `path` (local) or completes the object.
    async fn commit(self, path: PathBuf) -> ApiResult<()> {
        match self {
            Sink::File {
                mut file,
                tmp,
                mut guard,
            } => {
                file.flush().await.map_err(ApiError::internal)?;
                file.sync_all().await.map_err(ApiError::internal)?;
                drop(file);
                tokio::fs::rename(&tmp, path)
                    .await
                    .map_err(ApiError::internal)?;
                guard.0 = None;
                Ok(())
            }
            Sink::Object(w) => w.finish().await,
        }
    }
}

/// What one read of a file being served takes: fewer trips to the blocking pool than
/// 64 KiB, and still little held per viewer.
const READ_CHUNK: usize = 256 * 1024;

/// A completed upload, in place under `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub size_bytes: u64,
    pub sha256: String,
    /// An MP4's or a WebM's duration from its metadata, when it is one.
    pub duration_seconds: Option<u32>,
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

/// What a `PATCH` of a resumable upload stored.
#[derive(Debug)]
pub struct Appended {
    pub offset: u64,
    pub hash: HashState,
    /// Why the body stopped before its end, if it did.
    pub stopped: Option<ApiError>,
}

/// 413: more bytes than the upload declared.
pub fn beyond_length(length: u64) -> ApiError {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        text!(
            "The body goes past the declared Upload-Length of {length} bytes.",
            "请求体超出声明的 Upload-Length（{length} 字节）。"
        ),
    )
}

/// 503: a material's row is there but its file is not (deleted by hand, a restore
/// without `--recordings`, another bucket): the operator's fault to fix, not the caller's,
/// and no reason for a 500. The answer is logged with the key as a server error.
pub fn missing(key: &str, cause: impl Into<continuity_shared::error::Cause>) -> ApiError {
    ApiError::unavailable(text!(
        "The recording's file is missing from storage; an administrator must restore it.",
        "录像文件在存储中缺失，需由管理员恢复。"
    ))
    .with_source(format!("stored file {key} is missing: {}", cause.into()))
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
    pub fn new(dir: PathBuf, s3: Option<S3>, max_bytes: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir.join("tmp"))?;
        std::fs::create_dir_all(dir.join("uploads"))?;
        Ok(Self { dir, s3, max_bytes })
    }

    /// The file of a stored key (keys are UUIDs the service made: no path in them).
    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    async fn sink(&self, key: &str) -> ApiResult<Sink> {
        if let Some(s3) = &self.s3 {
            return Ok(Sink::Object(s3.writer(key).await?));
        }
        let tmp = self.dir.join("tmp").join(format!("{key}.part"));
        let guard = Cleanup(Some(tmp.clone()));
        let file = tokio::fs::File::create(&tmp)
            .await
            .map_err(ApiError::internal)?;
        Ok(Sink::File { file, tmp, guard })
    }

    /// `len` bytes of a stored material from `start`, streamed.
    pub async fn read(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> ApiResult<BoxStream<'static, std::io::Result<Bytes>>> {
        if let Some(s3) = &self.s3 {
            return s3.read(key, start, len).await;
        }
        let mut file = tokio::fs::File::open(self.path(key))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => missing(key, e),
                _ => ApiError::internal(e),
            })?;
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(ApiError::internal)?;
        let file = Some(file.into_std().await);
        Ok(futures_util::stream::unfold((file, len), read_chunk).boxed())
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
        let mut sink = self.sink(key).await?;
        let mut probe = DurationProbe::default();
        let mut window = webm::Window::default();
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
            probe.feed(&chunk);
            window.feed(&chunk);
            sink.write(&chunk).await?;
        }
        if declared.is_some_and(|n| n != size) {
            return Err(ApiError::malformed(text!(
                "The upload ended after {size} bytes of the declared Content-Length.",
                "上传在 {size} 字节处中断，少于声明的 Content-Length。"
            )));
        }
        sink.commit(self.path(key)).await?;
        let duration_seconds = match probe.seconds() {
            Some(s) => Some(s),
            // The demuxer's reads block; a window of 2 MiB takes a few milliseconds.
            None => tokio::task::spawn_blocking(move || window.seconds())
                .await
                .ok()
                .flatten(),
        };
        Ok(Stored {
            key: key.to_owned(),
            size_bytes: size,
            sha256: hex::encode(hash.finalize()),
            duration_seconds,
        })
    }

    /// Where a resumable upload's bytes gather until it is finished.
    fn part(&self, upload: &str) -> PathBuf {
        self.dir.join("uploads").join(format!("{upload}.part"))
    }

    /// An empty file for a new resumable upload.
    pub async fn create_part(&self, upload: &str) -> ApiResult<()> {
        tokio::fs::File::create(self.part(upload))
            .await
            .map_err(ApiError::internal)?;
        Ok(())
    }

    /// Appends `body` to an upload's bytes from `from` (anything past it, left by a request
    /// that failed before it was recorded, is dropped), at most up to `length`, hashing on
    /// the way. Whatever arrived is kept and synced even when the body breaks off: that is
    /// what resuming continues from. Returns the new offset and hash, and the error that
    /// stopped the body early, if any.
    pub async fn append_part<S, E>(
        &self,
        upload: &str,
        from: u64,
        length: u64,
        mut hash: HashState,
        mut body: S,
    ) -> ApiResult<Appended>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(self.part(upload))
            .await
            .map_err(ApiError::internal)?;
        file.set_len(from).await.map_err(ApiError::internal)?;
        file.seek(SeekFrom::Start(from))
            .await
            .map_err(ApiError::internal)?;
        let mut offset = from;
        let mut stopped = None;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    stopped = Some(ApiError::malformed(text!(
                        "The upload was interrupted: {e}",
                        "上传中断：{e}"
                    )));
                    break;
                }
            };
            if offset + chunk.len() as u64 > length {
                stopped = Some(beyond_length(length));
                break;
            }
            if let Err(e) = file.write_all(&chunk).await {
                // The file may now hold part of the chunk: the next request cuts it off.
                stopped = Some(ApiError::internal(e));
                break;
            }
            hash.update(&chunk);
            offset += chunk.len() as u64;
        }
        file.flush().await.map_err(ApiError::internal)?;
        file.sync_data().await.map_err(ApiError::internal)?;
        Ok(Appended {
            offset,
            hash,
            stopped,
        })
    }

    /// Puts a finished upload's bytes in place under `key`: moved within the directory,
    /// or copied up to the bucket (the local bytes stay until [`Storage::remove_part`]).
    pub async fn finish_part(&self, upload: &str, key: &str) -> ApiResult<()> {
        let Some(s3) = &self.s3 else {
            return tokio::fs::rename(self.part(upload), self.path(key))
                .await
                .map_err(ApiError::internal);
        };
        let mut file = tokio::fs::File::open(self.part(upload))
            .await
            .map_err(ApiError::internal)?;
        let mut w = s3.writer(key).await?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).await.map_err(ApiError::internal)?;
            if n == 0 {
                break;
            }
            w.write(&buf[..n]).await?;
        }
        w.finish().await
    }

    /// A finished upload's duration from its MP4 metadata (reading only the box headers
    /// and the start of `moov`), else from its WebM metadata.
    pub async fn probe_part(&self, upload: &str) -> Option<u32> {
        match self.probe_part_mp4(upload).await {
            Some(s) => Some(s),
            None => webm_seconds(self.part(upload)).await,
        }
    }

    async fn probe_part_mp4(&self, upload: &str) -> Option<u32> {
        let mut file = tokio::fs::File::open(self.part(upload)).await.ok()?;
        let mut probe = DurationProbe::default();
        let mut buf = vec![0u8; 16 * 1024];
        while !probe.done() {
            let skip = probe.skippable();
            if skip > 0 {
                file.seek(SeekFrom::Current(i64::try_from(skip).ok()?))
                    .await
                    .ok()?;
                probe.skipped(skip);
                continue;
            }
            let n = file.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            probe.feed(&buf[..n]);
        }
        probe.seconds()
    }

    /// Undoes [`Storage::finish_part`] (the material could not be recorded).
    pub async fn unfinish_part(&self, upload: &str, key: &str) {
        match &self.s3 {
            Some(s3) => s3.remove(key).await,
            None => {
                let _ = tokio::fs::rename(self.path(key), self.part(upload)).await;
            }
        }
    }

    /// Removes an unfinished upload's bytes.
    pub async fn remove_part(&self, upload: &str) {
        let _ = tokio::fs::remove_file(self.part(upload)).await;
    }

    /// Removes a stored file (a row that could not be written).
    pub async fn remove(&self, key: &str) {
        match &self.s3 {
            Some(s3) => s3.remove(key).await,
            None => {
                let _ = tokio::fs::remove_file(self.path(key)).await;
            }
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A local file's duration from its WebM metadata, read off the async workers (the
/// demuxer's reads block) from its first and last MiB only, as a streamed one is: the
/// demuxer allocates what an element declares, so it never sees more than those.
async fn webm_seconds(path: PathBuf) -> Option<u32> {
    let read = move || {
        let mut file = std::fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut window = webm::Window::default();
        let mut head = Vec::new();
        (&mut file)
            .take(window.head_room() as u64)
            .read_to_end(&mut head)
            .ok()?;
        window.feed(&head);
        let tail_from = len.saturating_sub(webm::KEEP as u64).max(head.len() as u64);
        window.skipped(tail_from - head.len() as u64);
        file.seek(SeekFrom::Start(tail_from)).ok()?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).ok()?;
        window.feed(&tail);
        window.seconds()
    };
    tokio::task::spawn_blocking(read).await.ok().flatten()
}

/// The next chunk of at most `left` bytes of a file being served, read on the blocking
/// pool straight into a buffer of its own: one copy, nothing zeroed first (serving is
/// otherwise bound by copying; see `bench-content`).
async fn read_chunk(
    (file, left): (Option<std::fs::File>, u64),
) -> Option<(std::io::Result<Bytes>, (Option<std::fs::File>, u64))> {
    let file = file.filter(|_| left > 0)?;
    let want = left.min(READ_CHUNK as u64);
    let read = tokio::task::spawn_blocking(move || {
        let mut buf = Vec::with_capacity(want as usize);
        let got = (&file).take(want).read_to_end(&mut buf);
        (file, got.map(|_| buf))
    })
    .await;
    match read {
        Ok((_, Ok(buf))) if buf.is_empty() => None,
        Ok((file, Ok(buf))) => {
            let left = left - buf.len() as u64;
            Some((Ok(Bytes::from(buf)), (Some(file), left)))
        }
        Ok((_, Err(e))) => Some((Err(e), (None, 0))),
        Err(e) => Some((Err(std::io::Error::other(e)), (None, 0))),
    }
}
