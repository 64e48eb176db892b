//! Recordings of upstream traffic: `run --record DIR` appends every upstream response (request
//! URL, time, status, `max-age` and body) to a folder; `run --replay DIR` serves them back, in
//! order, through the same fetch path with no network. `recording import` turns a folder of
//! timestamped snapshots taken elsewhere into a recording. The format is documented in
//! `docs/record-replay.md`.
//!
//! Layout of a recording folder:
//! - `index.jsonl`: one [`IndexLine`] per response, in the order they were received;
//! - `bodies/NNNNNN.body`: the response bodies, byte for byte (decompressed).

use chrono::{DateTime, NaiveDateTime, Utc};
use scoreline_core::upstream::origin::BodyDating;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The index file's name inside a recording folder.
pub const INDEX: &str = "index.jsonl";

/// A recording could not be written, read or imported.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of `index.jsonl` is not a valid entry.
    #[error("{path}:{line}: {message}")]
    BadIndex {
        /// The index file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The folder already holds a recording (recording never overwrites one).
    #[error("{0} already holds a recording; record into a new folder")]
    Exists(PathBuf),
    /// The recording holds no responses.
    #[error("{0} holds no recorded responses")]
    Empty(PathBuf),
    /// An imported file's name carries no time.
    #[error("{0}: the file name carries no time like `2026-07-07T00-07-28Z`")]
    NoTime(PathBuf),
    /// A URL could not be parsed.
    #[error("bad url `{0}`")]
    BadUrl(String),
}

/// One line of `index.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexLine {
    /// 1, 2, 3, ... in the order responses arrived.
    pub seq: u64,
    /// When the request was made (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// The URL the adapter planned (before any `[upstream.overrides]` rewrite). A URL with no
    /// query string answers every query on its path (handy for imported snapshots).
    pub url: String,
    /// HTTP status upstream answered.
    pub status: u16,
    /// `Cache-Control: max-age` upstream sent, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_secs: Option<u64>,
    /// `Date`, `Last-Modified` and `Age` as upstream sent them (absent in recordings made
    /// before they were kept, which replay as undated).
    #[serde(default, flatten)]
    pub dating: BodyDating,
    /// The body file, relative to the folder.
    pub body: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordingError + '_ {
    move |source| RecordingError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Appends responses to a recording folder.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    state: Mutex<(u64, std::fs::File)>,
}

impl Recorder {
    /// Start a recording in `dir` (created if missing; refused if it already holds one).
    pub fn create(dir: &Path) -> Result<Recorder, RecordingError> {
        let index = dir.join(INDEX);
        if index.exists() {
            return Err(RecordingError::Exists(dir.to_path_buf()));
        }
        let bodies = dir.join("bodies");
        std::fs::create_dir_all(&bodies).map_err(io(&bodies))?;
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&index)
            .map_err(io(&index))?;
        Ok(Recorder {
            dir: dir.to_path_buf(),
            state: Mutex::new((0, file)),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append one response: the body file first, then its index line, so an index line never
    /// names a missing body.
    pub fn record(
        &self,
        at: DateTime<Utc>,
        url: &str,
        status: u16,
        max_age: Option<Duration>,
        dating: &BodyDating,
        body: &[u8],
    ) -> Result<(), RecordingError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let seq = state.0 + 1;
        let rel = format!("bodies/{seq:06}.body");
        let path = self.dir.join(&rel);
        std::fs::write(&path, body).map_err(io(&path))?;
        let line = IndexLine {
            seq,
            at,
            url: url.to_owned(),
            status,
            max_age_secs: max_age.map(|d| d.as_secs()),
            dating: dating.clone(),
            body: rel,
        };
        let index = self.dir.join(INDEX);
        let mut json = serde_json::to_string(&line).map_err(|e| RecordingError::BadIndex {
            path: index.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        json.push('\n');
        state.1.write_all(json.as_bytes()).map_err(io(&index))?;
        state.0 = seq;
        Ok(())
    }
}

/// Read `dir/index.jsonl`.
pub fn read_index(dir: &Path) -> Result<Vec<IndexLine>, RecordingError> {
    let path = dir.join(INDEX);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    parse_index(dir, &text)
}

/// Parse the text of `dir/index.jsonl` (`dir` names it in errors): every line an entry whose
/// body stays inside the folder and whose URL parses; at least one entry.
pub fn parse_index(dir: &Path, text: &str) -> Result<Vec<IndexLine>, RecordingError> {
    let path = dir.join(INDEX);
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let line: IndexLine = serde_json::from_str(raw).map_err(|e| RecordingError::BadIndex {
            path: path.clone(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if line.body.contains("..") || Path::new(&line.body).is_absolute() {
            return Err(RecordingError::BadIndex {
                path: path.clone(),
                line: i + 1,
                message: format!("body path `{}` leaves the folder", line.body),
            });
        }
        url::Url::parse(&line.url).map_err(|_| RecordingError::BadIndex {
            path: path.clone(),
            line: i + 1,
            message: format!("`{}` is not a URL", line.url),
        })?;
        lines.push(line);
    }
    if lines.is_empty() {
        return Err(RecordingError::Empty(dir.to_path_buf()));
    }
    Ok(lines)
}

/// A response served from a recording.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The entry.
    pub line: IndexLine,
    /// Its body.
    pub body: Vec<u8>,
}

/// The per-URL cursors of a replay.
#[derive(Debug, Default)]
struct Cursor {
    /// Indexes into `Replay::lines`, in recorded order.
    entries: Vec<usize>,
    /// The next entry not yet served.
    next: usize,
}

/// Serves a recording back. Each URL has its own queue of recorded responses: a request gets
/// the next one not yet served once the replay clock has reached its recorded time, else the one
/// served last again. No response is skipped, so the same recording always yields the same
/// sequence of bodies, however fast it is replayed.
#[derive(Debug)]
pub struct Replay {
    dir: PathBuf,
    lines: Vec<IndexLine>,
    cursors: Mutex<HashMap<String, Cursor>>,
}

/// A request the recording cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not in the recording")]
pub struct NotRecorded(pub String);

impl Replay {
    /// Load the index of `dir` (bodies are read when served).
    pub fn open(dir: &Path) -> Result<Replay, RecordingError> {
        let mut lines = read_index(dir)?;
        lines.sort_by_key(|l| (l.at, l.seq));
        let mut cursors: HashMap<String, Cursor> = HashMap::new();
        for (i, l) in lines.iter().enumerate() {
            cursors.entry(l.url.clone()).or_default().entries.push(i);
        }
        Ok(Replay {
            dir: dir.to_path_buf(),
            lines,
            cursors: Mutex::new(cursors),
        })
    }

    /// When the recording starts.
    pub fn start(&self) -> DateTime<Utc> {
        self.lines
            .first()
            .map_or(DateTime::<Utc>::MIN_UTC, |l| l.at)
    }

    /// When its last response was recorded.
    pub fn end(&self) -> DateTime<Utc> {
        self.lines.last().map_or(DateTime::<Utc>::MIN_UTC, |l| l.at)
    }

    /// Responses in the recording.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds none (never true for an opened replay).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether the replay is over: the clock is past the last response and every response
    /// has been served, or [`Replay::GRACE_SECS`] have passed since the last one (a URL the replaying
    /// daemon no longer asks for must not keep it running).
    pub fn finished(&self, now: DateTime<Utc>) -> bool {
        let cursors = self.cursors.lock().unwrap_or_else(|e| e.into_inner());
        let end = self.end();
        now >= end
            && (cursors.values().all(|c| c.next >= c.entries.len())
                || now >= end + chrono::Duration::seconds(Replay::GRACE_SECS))
    }

    /// Recorded seconds after the last response when a replay ends even with responses
    /// unserved (the replaying daemon need not ask for every URL the recording one did, e.g. a
    /// game detail fetched on a slightly different round). Longer than any idle refresh.
    pub const GRACE_SECS: i64 = 30 * 60;

    /// Responses not served yet.
    pub fn pending(&self) -> usize {
        let cursors = self.cursors.lock().unwrap_or_else(|e| e.into_inner());
        cursors
            .values()
            .map(|c| c.entries.len().saturating_sub(c.next))
            .sum()
    }

    /// The entry answering `url` at `now`, per the rule above. An exact URL match wins; else a
    /// recorded URL with no query answers any query on its path.
    pub fn next(&self, url: &str, now: DateTime<Utc>) -> Result<IndexLine, NotRecorded> {
        let mut cursors = self.cursors.lock().unwrap_or_else(|e| e.into_inner());
        let key = if cursors.contains_key(url) {
            url.to_owned()
        } else {
            let bare = url.split_once('?').map_or(url, |(p, _)| p);
            if !cursors.contains_key(bare) {
                return Err(NotRecorded(url.to_owned()));
            }
            bare.to_owned()
        };
        let Some(cursor) = cursors.get_mut(&key) else {
            return Err(NotRecorded(url.to_owned()));
        };
        let due = cursor
            .entries
            .get(cursor.next)
            .is_some_and(|&i| self.lines.get(i).is_some_and(|l| l.at <= now));
        if due || cursor.next == 0 {
            cursor.next += 1;
        }
        let i = cursor.entries.get(cursor.next - 1).copied();
        i.and_then(|i| self.lines.get(i).cloned())
            .ok_or_else(|| NotRecorded(url.to_owned()))
    }

    /// Where the body of `line` is.
    pub fn body_path(&self, line: &IndexLine) -> PathBuf {
        self.dir.join(&line.body)
    }

    /// The body of `line`.
    pub fn body(&self, line: &IndexLine) -> Result<Vec<u8>, RecordingError> {
        let path = self.body_path(line);
        std::fs::read(&path).map_err(io(&path))
    }
}

/// Find a time written like `2026-07-07T00-07-28Z` (RFC 3339 with `:` replaced by `-`, as file
/// names must be) in `name`.
pub fn time_in_name(name: &str) -> Option<DateTime<Utc>> {
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(19)).find_map(|i| {
        let s = name.get(i..i + 20)?;
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H-%M-%SZ")
            .ok()
            .map(|t| t.and_utc())
    })
}

/// Turn a folder of snapshots named with their time (e.g. `0001-2026-07-07T00-07-28Z.json`)
/// into a recording in `out`, every snapshot answering `url` with status 200 at its time.
/// Returns how many were imported.
pub fn import(source: &Path, url: &str, out: &Path) -> Result<usize, RecordingError> {
    url::Url::parse(url).map_err(|_| RecordingError::BadUrl(url.to_owned()))?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(source).map_err(io(source))? {
        let path = entry.map_err(io(source))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_file() && name.ends_with(".json") {
            let at = time_in_name(name).ok_or_else(|| RecordingError::NoTime(path.clone()))?;
            files.push((at, path));
        }
    }
    if files.is_empty() {
        return Err(RecordingError::Empty(source.to_path_buf()));
    }
    files.sort();
    let recorder = Recorder::create(out)?;
    for (at, path) in &files {
        let body = std::fs::read(path).map_err(io(path))?;
        recorder.record(*at, url, 200, None, &BodyDating::default(), &body)?;
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn record_then_replay_serves_each_response_in_order_without_skipping() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::create(dir.path()).unwrap();
        let a = "https://x.example/a?d=1";
        let dated = BodyDating {
            date: Some("Fri, 04 Dec 2026 20:00:30 GMT".into()),
            last_modified: None,
            age_secs: Some(4),
        };
        rec.record(t(0), a, 200, Some(Duration::from_secs(5)), &dated, b"a1")
            .unwrap();
        rec.record(
            t(10),
            "https://x.example/b",
            500,
            None,
            &BodyDating::default(),
            b"oops",
        )
        .unwrap();
        rec.record(t(20), a, 200, None, &BodyDating::default(), b"a2")
            .unwrap();
        rec.record(t(30), a, 200, None, &BodyDating::default(), b"a3")
            .unwrap();
        assert!(matches!(
            Recorder::create(dir.path()),
            Err(RecordingError::Exists(_))
        ));
        let replay = Replay::open(dir.path()).unwrap();
        assert_eq!(
            (replay.start(), replay.end(), replay.len()),
            (t(0), t(30), 4)
        );
        let body = |l: IndexLine| String::from_utf8(replay.body(&l).unwrap()).unwrap();
        // Before its next entry is due, a URL gets the one served last again.
        assert_eq!(body(replay.next(a, t(0)).unwrap()), "a1");
        assert_eq!(body(replay.next(a, t(19)).unwrap()), "a1");
        // Far past both later entries: still one step at a time, none skipped.
        assert_eq!(body(replay.next(a, t(100)).unwrap()), "a2");
        assert!(!replay.finished(t(100)));
        assert_eq!(body(replay.next(a, t(100)).unwrap()), "a3");
        assert_eq!(body(replay.next(a, t(100)).unwrap()), "a3");
        // A recorded URL without a query answers any query on its path.
        let b = replay.next("https://x.example/b?z=9", t(100)).unwrap();
        assert_eq!((b.status, body(b)), (500, "oops".to_owned()));
        assert!(replay.finished(t(100)));
        assert_eq!(
            replay.next("https://x.example/c", t(0)).unwrap_err(),
            NotRecorded("https://x.example/c".into())
        );
        let first = read_index(dir.path()).unwrap().remove(0);
        assert_eq!(first.max_age_secs, Some(5));
        assert_eq!(first.dating, dated);
        assert_eq!(first.body, "bodies/000001.body");
        let second = read_index(dir.path()).unwrap().remove(1);
        assert!(second.dating.is_empty());
        let text = std::fs::read_to_string(dir.path().join(INDEX)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains(r#""age_secs":4"#), "{}", lines[0]);
        assert!(
            !lines[1].contains("date"),
            "undated lines stay as before: {}",
            lines[1]
        );
    }

    #[test]
    fn a_bad_index_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(INDEX),
            "{\"seq\":1,\"at\":\"2026-07-07T00:00:00Z\",\"url\":\"https://x/\",\"status\":200,\"body\":\"bodies/1\"}\nnot json\n",
        )
        .unwrap();
        let e = Replay::open(dir.path()).unwrap_err();
        assert!(
            matches!(&e, RecordingError::BadIndex { line: 2, .. }),
            "{e}"
        );
        std::fs::write(
            dir.path().join(INDEX),
            "{\"seq\":1,\"at\":\"2026-07-07T00:00:00Z\",\"url\":\"https://x/\",\"status\":200,\"body\":\"../etc/passwd\"}\n",
        )
        .unwrap();
        assert!(matches!(
            Replay::open(dir.path()),
            Err(RecordingError::BadIndex { line: 1, .. })
        ));
    }

    #[test]
    fn import_reads_times_from_file_names() {
        assert_eq!(
            time_in_name("0001-2026-07-07T00-07-28Z.json"),
            Some(Utc.with_ymd_and_hms(2026, 7, 7, 0, 7, 28).unwrap())
        );
        assert_eq!(time_in_name("snapshot.json"), None);
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("b-2026-07-07T02-00-00Z.json"), "{\"n\":2}").unwrap();
        std::fs::write(src.path().join("a-2026-07-07T01-00-00Z.json"), "{\"n\":1}").unwrap();
        std::fs::write(src.path().join("README.md"), "ignored").unwrap();
        let out = tempfile::tempdir().unwrap();
        let n = import(src.path(), "https://x.example/sb", out.path()).unwrap();
        assert_eq!(n, 2);
        let lines = read_index(out.path()).unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.seq, l.at.to_rfc3339()))
                .collect::<Vec<_>>(),
            [
                (1, "2026-07-07T01:00:00+00:00".to_owned()),
                (2, "2026-07-07T02:00:00+00:00".to_owned())
            ]
        );
        std::fs::write(src.path().join("undated.json"), "{}").unwrap();
        let out2 = tempfile::tempdir().unwrap();
        assert!(matches!(
            import(src.path(), "https://x.example/sb", out2.path()),
            Err(RecordingError::NoTime(_))
        ));
    }
}
