//! A recording's duration from its WebM (Matroska) metadata: the Segment `Info`'s
//! `Duration`, in ticks of its `TimestampScale` nanoseconds. The `matroska-demuxer` crate
//! reads it; it follows the `SeekHead` to elements that may sit at the end of the file
//! (`Cues`, `Tags`), so it needs the whole file and a reader that can seek, and it checks
//! every declared size against the stream's length, so a hostile file is an error.

use std::io::{Read, Seek};

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
        // Every byte of the real file's first kilobyte flipped, one at a time.
        for i in 0..WEBM.len().min(1024) {
            let mut bad = WEBM.to_vec();
            bad[i] ^= 0xFF;
            let _ = seconds(Cursor::new(bad));
        }
    }
}
