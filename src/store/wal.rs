//! Reading a WAL file the way SQLite's recovery does, to see what recovery would drop.
//!
//! Recovery replays frames while each carries the header's salts and its cumulative checksum
//! checks out, and stops at the first that does not: that frame and every one after it are
//! ignored, and the next close deletes the WAL. After a crash while appending, that is a torn
//! tail, and nothing the user was told is saved goes with it. A damaged frame in the middle ends
//! recovery the same way and silently loses the transactions committed after it. The two are
//! told apart by what follows the break: a frame with this generation's salts whose checksum
//! follows from the stored checksum of the frame before it was written whole, in order, by
//! SQLite; a commit mark among such frames is a transaction SQLite had committed.
//!
//! Format: <https://www.sqlite.org/fileformat2.html#walformat>. SQLCipher encrypts the pages
//! only; headers, salts and checksums are SQLite's, computed over the encrypted bytes.

const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
/// The magic number with its low bit cleared; the low bit set means big-endian checksum words.
const MAGIC: u32 = 0x377f_0682;
/// The only WAL format version there is (SQLite refuses to open any other).
const VERSION: u32 = 3_007_000;

/// Where SQLite's recovery would stop reading a WAL, when that loses committed transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalBreak {
    /// The header (magic, version, page size or its checksum) does not check out, and frames
    /// follow it: SQLite ignores every one of them.
    Header,
    /// Frame `frame` (counted from 1) does not check out, and `commits` transactions committed
    /// after it are intact in the file: SQLite drops them with it.
    Frame { frame: usize, commits: usize },
}

/// What recovery of `wal` would drop beyond an uncommitted or torn tail, if anything.
pub(crate) fn examine(wal: &[u8]) -> Option<WalBreak> {
    if wal.len() < HEADER {
        // Recovery reads no frame from a WAL without a whole header; nothing follows one.
        return None;
    }
    let Some(header) = Header::read(wal) else {
        // A WAL of zeros after a power cut held nothing that had been synced.
        return wal[HEADER..]
            .iter()
            .any(|&b| b != 0)
            .then_some(WalBreak::Header);
    };
    let frames: Vec<Frame<'_>> = wal[HEADER..]
        .chunks_exact(FRAME_HEADER + header.page_size)
        .map(|bytes| Frame::read(bytes, header.big_endian))
        .collect();
    let mut sum = header.checksum;
    let broken = frames.iter().position(|f| {
        let ok = f.belongs(&header) && f.sum_from(sum) == f.stored_sum;
        sum = f.stored_sum;
        !ok
    })?;
    let commits = frames
        .windows(2)
        .skip(broken)
        .filter(|pair| {
            let (before, f) = (&pair[0], &pair[1]);
            f.commit && f.belongs(&header) && f.sum_from(before.stored_sum) == f.stored_sum
        })
        .count();
    (commits > 0).then_some(WalBreak::Frame {
        frame: broken + 1,
        commits,
    })
}

struct Header {
    big_endian: bool,
    page_size: usize,
    salts: [u32; 2],
    checksum: (u32, u32),
}

impl Header {
    /// The header as recovery accepts it, or None where recovery ignores the whole WAL.
    fn read(wal: &[u8]) -> Option<Header> {
        let magic = be(wal, 0);
        if magic & !1 != MAGIC || be(wal, 4) != VERSION {
            return None;
        }
        let page_size = be(wal, 8) as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return None;
        }
        let big_endian = magic & 1 == 1;
        let checksum = (be(wal, 24), be(wal, 28));
        if checksum_of((0, 0), &wal[..24], big_endian) != checksum {
            return None;
        }
        Some(Header {
            big_endian,
            page_size,
            salts: [be(wal, 16), be(wal, 20)],
            checksum,
        })
    }
}

struct Frame<'a> {
    /// The frame header's page number and commit mark, then the page: what the checksum covers.
    covered: (&'a [u8], &'a [u8]),
    page: u32,
    commit: bool,
    salts: [u32; 2],
    stored_sum: (u32, u32),
    big_endian: bool,
}

impl<'a> Frame<'a> {
    fn read(bytes: &'a [u8], big_endian: bool) -> Frame<'a> {
        Frame {
            covered: (&bytes[..8], &bytes[FRAME_HEADER..]),
            page: be(bytes, 0),
            commit: be(bytes, 4) != 0,
            salts: [be(bytes, 8), be(bytes, 12)],
            stored_sum: (be(bytes, 16), be(bytes, 20)),
            big_endian,
        }
    }

    /// Of this generation of the WAL, with a page number (recovery rejects page 0).
    fn belongs(&self, header: &Header) -> bool {
        self.salts == header.salts && self.page != 0
    }

    /// The cumulative checksum this frame should store if the one before it stored `seed`.
    fn sum_from(&self, seed: (u32, u32)) -> (u32, u32) {
        let sum = checksum_of(seed, self.covered.0, self.big_endian);
        checksum_of(sum, self.covered.1, self.big_endian)
    }
}

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `seed`.
fn checksum_of(seed: (u32, u32), data: &[u8], big_endian: bool) -> (u32, u32) {
    let word = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let (mut s0, mut s1) = seed;
    for pair in data.chunks_exact(8) {
        s0 = s0.wrapping_add(word(&pair[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&pair[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

/// The big-endian 32-bit number at `at` (every header field is big-endian).
fn be(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;
    const SALTS: [u32; 2] = [0x1234_5678, 0x9abc_def0];

    /// A WAL as SQLite writes it: `frames` are (page number, commit mark), each page filled
    /// with its page number so that pages differ.
    fn wal(big_endian: bool, salts: [u32; 2], frames: &[(u32, u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend((MAGIC | big_endian as u32).to_be_bytes());
        out.extend(VERSION.to_be_bytes());
        out.extend((PAGE as u32).to_be_bytes());
        out.extend(0u32.to_be_bytes());
        out.extend(salts[0].to_be_bytes());
        out.extend(salts[1].to_be_bytes());
        let mut sum = checksum_of((0, 0), &out, big_endian);
        out.extend(sum.0.to_be_bytes());
        out.extend(sum.1.to_be_bytes());
        for &(page, commit) in frames {
            append(&mut out, &mut sum, big_endian, salts, page, commit);
        }
        out
    }

    fn append(
        out: &mut Vec<u8>,
        sum: &mut (u32, u32),
        big_endian: bool,
        salts: [u32; 2],
        page: u32,
        commit: u32,
    ) {
        let mut head = Vec::new();
        head.extend(page.to_be_bytes());
        head.extend(commit.to_be_bytes());
        let data = vec![page as u8; PAGE];
        *sum = checksum_of(checksum_of(*sum, &head, big_endian), &data, big_endian);
        head.extend(salts[0].to_be_bytes());
        head.extend(salts[1].to_be_bytes());
        head.extend(sum.0.to_be_bytes());
        head.extend(sum.1.to_be_bytes());
        out.extend(head);
        out.extend(data);
    }

    /// The byte `into` bytes into the page of frame `frame` (from 0).
    fn page_byte(frame: usize, into: usize) -> usize {
        HEADER + frame * (FRAME_HEADER + PAGE) + FRAME_HEADER + into
    }

    /// Three transactions: pages 1-2 (commit at frame 2), 3-5 (frame 5), 2 and 6 (frame 7).
    const THREE: [(u32, u32); 7] = [(1, 0), (2, 6), (3, 0), (4, 0), (5, 6), (2, 0), (6, 6)];

    #[test]
    fn an_intact_wal_in_either_byte_order_loses_nothing() {
        for big_endian in [false, true] {
            assert_eq!(examine(&wal(big_endian, SALTS, &THREE)), None);
        }
        assert_eq!(examine(&[]), None);
        assert_eq!(examine(&wal(false, SALTS, &[])), None);
    }

    #[test]
    fn the_checksum_reads_words_in_the_order_the_magic_number_says() {
        // Expected values from the format's definition, worked out apart from this code.
        let data: Vec<u8> = (0..16).collect();
        assert_eq!(checksum_of((0, 0), &data, true), (0x0c10_1418, 0x1c23_2a31));
        assert_eq!(
            checksum_of((0, 0), &data, false),
            (0x1814_100c, 0x312a_231c)
        );
    }

    #[test]
    fn a_damaged_middle_frame_loses_the_commits_after_it() {
        for big_endian in [false, true] {
            let mut bytes = wal(big_endian, SALTS, &THREE);
            bytes[page_byte(2, 100)] ^= 0x01;
            assert_eq!(
                examine(&bytes),
                Some(WalBreak::Frame {
                    frame: 3,
                    commits: 2
                }),
                "big-endian {big_endian}"
            );
        }
    }

    #[test]
    fn damage_in_a_frame_header_is_a_break_too() {
        // The salt of frame 1: the frame is not of this generation any more.
        let mut bytes = wal(false, SALTS, &THREE);
        bytes[HEADER + 8] ^= 0x80;
        assert_eq!(
            examine(&bytes),
            Some(WalBreak::Frame {
                frame: 1,
                commits: 3
            })
        );
        // The stored checksum of frame 4: frame 5 does not follow from it, frame 7 does.
        let mut bytes = wal(false, SALTS, &THREE);
        bytes[HEADER + 3 * (FRAME_HEADER + PAGE) + 16] ^= 0x01;
        assert_eq!(
            examine(&bytes),
            Some(WalBreak::Frame {
                frame: 4,
                commits: 1
            })
        );
    }

    #[test]
    fn a_torn_tail_loses_nothing_committed() {
        let whole = wal(false, SALTS, &THREE);
        // Cut inside the last frame, and at the start of it.
        assert_eq!(examine(&whole[..whole.len() - 100]), None);
        assert_eq!(examine(&whole[..whole.len() - FRAME_HEADER - PAGE]), None);
        // The last frame written in part: bad, nothing valid after it.
        let mut bytes = whole.clone();
        bytes[page_byte(6, 300)] ^= 0xff;
        assert_eq!(examine(&bytes), None);
        // Damage in a transaction that never committed: nothing committed follows.
        let mut bytes = wal(false, SALTS, &[(1, 0), (2, 6), (3, 0), (4, 0)]);
        bytes[page_byte(2, 0)] ^= 0x01;
        assert_eq!(examine(&bytes), None);
    }

    #[test]
    fn frames_of_an_earlier_generation_after_a_break_are_not_counted() {
        // A restarted WAL: a new header and salts, two new frames over the old first two; the
        // old frames after them (old salts, with commits) are leftovers recovery rightly drops.
        let old = wal(false, SALTS, &THREE);
        let mut bytes = wal(false, [SALTS[0] + 1, 0x0bad_cafe], &[(7, 0), (8, 7)]);
        bytes.extend_from_slice(&old[bytes.len()..]);
        assert_eq!(examine(&bytes), None);
        // Even with the new generation's own last frame damaged.
        bytes[page_byte(1, 10)] ^= 0x01;
        assert_eq!(examine(&bytes), None);
    }

    #[test]
    fn a_damaged_header_with_frames_loses_them_all() {
        let clean = wal(true, SALTS, &THREE);
        for at in [0, 5, 10, 17, 26] {
            let mut bytes = clean.clone();
            bytes[at] ^= 0x04;
            assert_eq!(examine(&bytes), Some(WalBreak::Header), "byte {at}");
        }
        let mut bytes = clean.clone();
        bytes[..HEADER].fill(0);
        assert_eq!(examine(&bytes), Some(WalBreak::Header));
        // A header alone, or a file of zeros, holds nothing to lose.
        let mut bytes = clean[..HEADER].to_vec();
        bytes[0] ^= 0x04;
        assert_eq!(examine(&bytes), None);
        assert_eq!(examine(&vec![0; clean.len()]), None);
    }

    #[test]
    fn the_walker_agrees_with_sqlite_on_a_wal_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("plain.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(3000));
             INSERT INTO t VALUES (randomblob(3000)); INSERT INTO t VALUES (randomblob(3000));",
        )
        .unwrap();
        let wal_path = dir.path().join("plain.db-wal");
        let bytes = std::fs::read(&wal_path).unwrap();
        assert_eq!(examine(&bytes), None);
        let mut damaged = bytes.clone();
        damaged[HEADER + FRAME_HEADER + 7] ^= 0x01;
        // The table and three rows, each committed after frame 1.
        let Some(WalBreak::Frame { frame: 1, commits }) = examine(&damaged) else {
            panic!("{:?}", examine(&damaged));
        };
        assert_eq!(commits, 4);
        // SQLite, opening a copy of the damaged state, sees none of them either.
        let copy = dir.path().join("copy.db");
        std::fs::copy(&db, &copy).unwrap();
        std::fs::write(dir.path().join("copy.db-wal"), &damaged).unwrap();
        let seen = rusqlite::Connection::open(&copy)
            .unwrap()
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap();
        assert_eq!(seen, 0, "SQLite dropped the WAL from frame 1 on");
    }
}
