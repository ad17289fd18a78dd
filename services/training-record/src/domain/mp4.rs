//! A recording's duration from its MP4 (or QuickTime) metadata: the `mvhd` box inside
//! `moov`, found by walking the top-level boxes as the bytes pass, so it works on a
//! stream (an upload on its way) as well as on a file it can seek in. Only what the
//! duration needs is kept: a box header and the first 4 KiB of `moov`.

/// How much of `moov` is kept to look for `mvhd` (in practice its first child).
const MOOV_PREFIX: usize = 4096;

#[derive(Debug, Clone)]
enum State {
    /// Reading a top-level box header.
    Header(Vec<u8>),
    /// Passing over the rest of a box that does not matter.
    Skip(u64),
    /// Keeping the start of `moov`; `left` is what remains of it.
    Moov {
        kept: Vec<u8>,
        left: u64,
    },
    Done,
}

/// Watches a file's bytes go by and reads its duration when it is an MP4.
#[derive(Debug, Clone)]
pub struct DurationProbe {
    state: State,
    first: bool,
    seconds: Option<u32>,
}

impl Default for DurationProbe {
    fn default() -> Self {
        Self {
            state: State::Header(Vec::new()),
            first: true,
            seconds: None,
        }
    }
}

impl DurationProbe {
    /// The duration in whole seconds (rounded), once `mvhd` has gone by.
    pub fn seconds(&self) -> Option<u32> {
        self.seconds
    }

    /// Bytes the probe will ignore next: a reader that can seek may jump over them
    /// (then it calls [`DurationProbe::skipped`]).
    pub fn skippable(&self) -> u64 {
        match self.state {
            State::Skip(n) => n,
            _ => 0,
        }
    }

    pub fn skipped(&mut self, n: u64) {
        if let State::Skip(left) = &mut self.state {
            *left = left.saturating_sub(n);
            if *left == 0 {
                self.state = State::Header(Vec::new());
            }
        }
    }

    /// Whether more bytes could still tell anything.
    pub fn done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Done => return,
                State::Skip(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    *left -= n;
                    bytes = &bytes[n as usize..];
                    if *left == 0 {
                        self.state = State::Header(Vec::new());
                    }
                }
                State::Header(buf) => {
                    let want = if buf.len() >= 8 && be32(&buf[..4]) == 1 {
                        16
                    } else {
                        8
                    };
                    let n = (want - buf.len()).min(bytes.len());
                    buf.extend_from_slice(&bytes[..n]);
                    bytes = &bytes[n..];
                    if buf.len() == 8 && be32(&buf[..4]) == 1 {
                        continue; // a 64-bit size follows
                    }
                    if buf.len() == want {
                        let header = std::mem::take(buf);
                        self.state = self.next_box(&header);
                    }
                }
                State::Moov { kept, left } => {
                    let n = (*left).min(bytes.len() as u64) as usize;
                    let keep = n.min(MOOV_PREFIX - kept.len());
                    kept.extend_from_slice(&bytes[..keep]);
                    *left -= n as u64;
                    bytes = &bytes[n..];
                    if kept.len() == MOOV_PREFIX || *left == 0 {
                        self.seconds = mvhd_seconds(kept);
                        self.state = State::Done;
                    }
                }
            }
        }
    }

    /// What follows a box header: its size counts the header itself; 0 means "to the end".
    fn next_box(&mut self, header: &[u8]) -> State {
        let kind = &header[4..8];
        let first = std::mem::replace(&mut self.first, false);
        if first && kind != b"ftyp" {
            return State::Done; // not an MP4
        }
        let size = match be32(&header[..4]) {
            0 => u64::MAX,
            1 => u64::from_be_bytes(header[8..16].try_into().unwrap_or_default()),
            n => u64::from(n),
        };
        let Some(body) = size.checked_sub(header.len() as u64) else {
            return State::Done; // a box smaller than its header: not a file we can read
        };
        match kind {
            b"moov" => State::Moov {
                kept: Vec::new(),
                left: body,
            },
            _ if size == u64::MAX => State::Done,
            _ if body == 0 => State::Header(Vec::new()),
            _ => State::Skip(body),
        }
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b[..4].try_into().unwrap_or_default())
}

/// The duration `mvhd` gives among the children at the start of `moov`.
fn mvhd_seconds(mut moov: &[u8]) -> Option<u32> {
    while moov.len() >= 8 {
        let size = be32(moov) as usize;
        if &moov[4..8] == b"mvhd" {
            let body = moov.get(8..)?;
            let (timescale, duration) = match body.first()? {
                0 => (be32(body.get(12..16)?), u64::from(be32(body.get(16..20)?))),
                1 => (
                    be32(body.get(20..24)?),
                    u64::from_be_bytes(body.get(24..32)?.try_into().ok()?),
                ),
                _ => return None,
            };
            if timescale == 0 {
                return None;
            }
            let seconds = (duration as f64 / f64::from(timescale)).round();
            return (seconds >= 1.0 && seconds <= f64::from(u32::MAX)).then_some(seconds as u32);
        }
        if size < 8 {
            return None;
        }
        moov = moov.get(size..)?;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// A skeleton MP4: `ftyp`, `moov` (`mvhd` then a `trak`) and `mdat`, in either order.
    pub(crate) fn mp4(
        duration: u64,
        timescale: u32,
        version: u8,
        moov_last: bool,
        mdat: usize,
    ) -> Vec<u8> {
        let mut mvhd = vec![version, 0, 0, 0];
        if version == 0 {
            mvhd.extend_from_slice(&[0; 8]);
            mvhd.extend_from_slice(&timescale.to_be_bytes());
            mvhd.extend_from_slice(&(duration as u32).to_be_bytes());
        } else {
            mvhd.extend_from_slice(&[0; 16]);
            mvhd.extend_from_slice(&timescale.to_be_bytes());
            mvhd.extend_from_slice(&duration.to_be_bytes());
        }
        mvhd.extend_from_slice(&[0; 80]);
        let mut moov = boxed(b"mvhd", &mvhd);
        moov.extend(boxed(b"trak", &[7; 300]));
        let moov = boxed(b"moov", &moov);
        let mdat = boxed(b"mdat", &vec![0xAB; mdat]);
        let mut file = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        if moov_last {
            file.extend(mdat);
            file.extend(moov);
        } else {
            file.extend(moov);
            file.extend(mdat);
        }
        file
    }

    #[test]
    fn the_duration_is_read_from_mvhd_wherever_moov_is() {
        for moov_last in [false, true] {
            let file = mp4(754_321, 1000, 0, moov_last, 70_000);
            let mut probe = DurationProbe::default();
            for chunk in file.chunks(777) {
                probe.feed(chunk);
            }
            assert_eq!(probe.seconds(), Some(754), "moov last: {moov_last}");
        }
        let mut probe = DurationProbe::default();
        probe.feed(&mp4(90 * 600, 600, 1, false, 10));
        assert_eq!(probe.seconds(), Some(90));
    }

    #[test]
    fn other_files_have_no_duration() {
        let mut probe = DurationProbe::default();
        probe.feed(b"\x1aE\xdf\xa3 a WebM, or any other file, is not read");
        assert!(probe.done());
        assert_eq!(probe.seconds(), None);
        let mut probe = DurationProbe::default();
        probe.feed(&[0, 0, 0, 4, b'f', b't', b'y', b'p']);
        assert_eq!(probe.seconds(), None);
    }

    #[test]
    fn a_seeking_reader_may_jump_over_what_does_not_matter() {
        let file = mp4(5_000, 100, 0, true, 1_000_000);
        let mut probe = DurationProbe::default();
        let mut at = 0usize;
        let mut read = 0;
        while at < file.len() && !probe.done() {
            let skip = probe.skippable() as usize;
            if skip > 0 {
                probe.skipped(skip as u64);
                at += skip;
                continue;
            }
            let end = (at + 4096).min(file.len());
            probe.feed(&file[at..end]);
            read += end - at;
            at = end;
        }
        assert_eq!(probe.seconds(), Some(50));
        assert!(read < 20_000, "{read}");
    }
}
