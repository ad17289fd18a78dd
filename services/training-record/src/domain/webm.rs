//! A recording's duration from its WebM (Matroska) metadata: the Segment `Info`'s
//! `Duration`, in ticks of its `TimestampScale` nanoseconds. The `matroska-demuxer` crate
//! reads it; it follows the `SeekHead` to elements that may sit at the end of the file
//! (`Cues`, `Tags`), so it needs a reader that can seek, and it checks every declared size
//! against the stream's length, so a hostile file is an error. A file that streams by (an
//! upload on its way to a bucket) is read from its first and last bytes ([`Window`]): the
//! muxers put the metadata there, and the clusters between are never read.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};

/// The EBML magic every WebM and Matroska file starts with.
pub const MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// The duration in whole seconds (rounded), when the file is a WebM/Matroska that records
/// one; `None` for anything else, a file without `Duration` (a live recording such as a
/// browser's `MediaRecorder` writes) or one the demuxer cannot read.
pub fn seconds<R: Read + Seek>(reader: R) -> Option<u32> {
    let file = matroska_demuxer::MatroskaFile::open(reader).ok()?;
    let info = file.info();
    ticks_to_seconds(info.duration()?, info.timestamp_scale().get())
}

/// `ticks` of `scale` nanoseconds in whole seconds; nothing for a value no recording has
/// (not finite, under half a second, or beyond `u32`).
fn ticks_to_seconds(ticks: f64, scale: u64) -> Option<u32> {
    let seconds = (ticks * scale as f64 / 1e9).round();
    (seconds.is_finite() && seconds >= 1.0 && seconds <= f64::from(u32::MAX))
        .then_some(seconds as u32)
}

/// The first and last bytes of a file kept as it streams by, when it starts as a WebM.
#[derive(Debug)]
pub struct Window {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    head_max: usize,
    tail_max: usize,
    len: u64,
    other: bool,
}

/// What a [`Window`] keeps at each end by default: a long recording's `Cues` are tens of KiB.
pub const KEEP: usize = 1 << 20;

impl Default for Window {
    fn default() -> Self {
        Self::new(KEEP, KEEP)
    }
}

impl Window {
    pub fn new(head_max: usize, tail_max: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: VecDeque::new(),
            head_max,
            tail_max,
            len: 0,
            other: false,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        if self.other {
            return;
        }
        self.len += bytes.len() as u64;
        let n = (self.head_max - self.head.len()).min(bytes.len());
        self.head.extend_from_slice(&bytes[..n]);
        if self.head.len() >= MAGIC.len() && self.head[..MAGIC.len()] != MAGIC {
            // Not a WebM: keep nothing more.
            *self = Self {
                other: true,
                ..Self::new(0, 0)
            };
            return;
        }
        self.tail.extend(&bytes[n..]);
        if self.tail.len() > self.tail_max {
            self.tail.drain(..self.tail.len() - self.tail_max);
        }
    }

    /// Bytes passed over unread (a reader that can seek jumps from the head to the tail).
    pub fn skipped(&mut self, n: u64) {
        self.len += n;
        self.tail.clear();
    }

    /// How many bytes the head still wants.
    pub fn head_room(&self) -> usize {
        self.head_max - self.head.len()
    }

    /// The duration, when the metadata the demuxer reads lies within the kept bytes.
    pub fn seconds(self) -> Option<u32> {
        if self.other || self.head.len() < MAGIC.len() {
            return None;
        }
        let tail_start = self.len - self.tail.len() as u64;
        seconds(Sparse {
            head: self.head,
            tail: self.tail.into(),
            tail_start,
            len: self.len,
            pos: 0,
        })
    }
}

/// A file of `len` bytes of which only the head and the tail are known: reading elsewhere
/// is an error (the demuxer then gives up: no duration).
struct Sparse {
    head: Vec<u8>,
    tail: Vec<u8>,
    tail_start: u64,
    len: u64,
    pos: u64,
}

impl Read for Sparse {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let (part, from) = if self.pos < self.head.len() as u64 {
            (&self.head, self.pos)
        } else if self.pos >= self.len {
            return Ok(0);
        } else if self.pos >= self.tail_start {
            (&self.tail, self.pos - self.tail_start)
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "between the kept head and tail",
            ));
        };
        let avail = &part[from as usize..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Sparse {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "before the start")
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// 7 s of ffmpeg's test pattern, 32x24 VP8 at 2 fps (`ffmpeg -f lavfi -i
    /// testsrc=duration=7:size=32x24:rate=2 -c:v libvpx -b:v 8k testsrc-7s.webm`).
    const WEBM: &[u8] = include_bytes!("../../tests/fixtures/testsrc-7s.webm");

    #[test]
    fn a_webm_made_by_ffmpeg_gives_its_duration() {
        assert!(WEBM.starts_with(&MAGIC));
        assert_eq!(seconds(Cursor::new(WEBM)), Some(7));
    }

    fn window(file: &[u8], chunk: usize, head: usize, tail: usize) -> Option<u32> {
        let mut w = Window::new(head, tail);
        for c in file.chunks(chunk) {
            w.feed(c);
        }
        w.seconds()
    }

    #[test]
    fn a_streamed_webm_gives_its_duration_from_its_head_and_tail_alone() {
        assert_eq!(window(WEBM, 1000, 1 << 20, 1 << 20), Some(7));
        // The clusters in between are never read: the Info at the start and the Cues at
        // the end are enough.
        assert_eq!(window(WEBM, 333, 600, 300), Some(7));
        // Too little kept to reach the Info or the Cues: nothing, no panic.
        assert_eq!(window(WEBM, 333, 40, 300), None);
        assert_eq!(window(WEBM, 333, 600, 10), None);
        let mp4 = crate::domain::mp4::tests::mp4(7000, 1000, 0, false, 100);
        assert_eq!(window(&mp4, 50, 600, 300), None);
        // Head, a jump over the middle, tail: as a reader of a file does it.
        let mut w = Window::new(600, 300);
        w.feed(&WEBM[..600]);
        w.skipped((WEBM.len() - 900) as u64);
        w.feed(&WEBM[WEBM.len() - 300..]);
        assert_eq!(w.seconds(), Some(7));
        assert_eq!(window(&WEBM[..3], 1, 600, 300), None);
    }

    #[test]
    fn ticks_are_scaled_and_rounded_and_nonsense_is_refused() {
        assert_eq!(ticks_to_seconds(7_000.0, 1_000_000), Some(7));
        assert_eq!(ticks_to_seconds(3_599_600.0, 1_000_000), Some(3600));
        assert_eq!(ticks_to_seconds(90.0, 1_000_000_000), Some(90));
        for (ticks, scale) in [
            (f64::NAN, 1_000_000),
            (f64::INFINITY, 1_000_000),
            (-5_000.0, 1_000_000),
            (100.0, 1_000_000),
            (1e30, 1_000_000),
        ] {
            assert_eq!(ticks_to_seconds(ticks, scale), None, "{ticks} x {scale}");
        }
    }

    #[test]
    fn a_truncated_webm_or_another_format_gives_nothing_and_never_panics() {
        // Cut anywhere: before the Info, inside it, before the Cues at the end.
        for len in (0..WEBM.len()).step_by(37).chain([4, 40, WEBM.len() - 1]) {
            let _ = seconds(Cursor::new(&WEBM[..len]));
        }
        assert_eq!(seconds(Cursor::new(&WEBM[..64])), None);
        assert_eq!(seconds(Cursor::new(b"not a video at all".as_slice())), None);
        let mp4 = crate::domain::mp4::tests::mp4(7000, 1000, 0, false, 100);
        assert_eq!(seconds(Cursor::new(mp4)), None);
    }

    #[test]
    fn hostile_sizes_and_flipped_bytes_give_nothing_and_never_panic() {
        // The EBML header then a Segment claiming 2^56 - 2 bytes, holding an Info whose
        // Title claims nearly as much: a reader that trusted sizes would allocate them.
        let mut hostile = MAGIC.to_vec();
        hostile.extend_from_slice(&[0x80]); // an empty EBML header
        hostile.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]);
        hostile.extend_from_slice(&[0xFF, 0xFF, 0xFE]);
        hostile.extend_from_slice(&[0x15, 0x49, 0xA9, 0x66, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]);
        hostile.extend_from_slice(&[0xFF, 0xFF, 0xF0, 0x7B, 0xA9, 0x01, 0xFF, 0xFF, 0xFF]);
        hostile.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xF0]);
        assert_eq!(seconds(Cursor::new(hostile)), None);
        // An Info whose Title claims 8 MiB of a 9 MiB file of which a window of 64 KiB at
        // each end is kept: the read into the gap fails, nothing is read in full.
        let segment = WEBM
            .windows(4)
            .position(|w| w == [0x18, 0x53, 0x80, 0x67])
            .unwrap();
        let mut big = WEBM[..segment].to_vec(); // the real EBML header (DocType webm)
        big.extend_from_slice(&[
            0x18, 0x53, 0x80, 0x67, 0x01, 0x00, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00,
        ]);
        big.extend_from_slice(&[
            0x15, 0x49, 0xA9, 0x66, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x10,
        ]);
        big.extend_from_slice(&[0x7B, 0xA9, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00]);
        big.resize(9 << 20, 0x20);
        assert_eq!(window(&big, 1 << 16, 1 << 16, 1 << 16), None);
        // Every byte of the real file's first kilobyte flipped, one at a time.
        for i in 0..WEBM.len().min(1024) {
            let mut bad = WEBM.to_vec();
            bad[i] ^= 0xFF;
            let _ = seconds(Cursor::new(bad));
        }
    }
}
