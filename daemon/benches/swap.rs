//! Hot swap: how long a new version of the real ESPN component takes to serve after its file
//! changes (through `swap::watch` with the daemon's debounce) or after `Swapper::upload`, with the
//! compiled-artifact cache missing (a version never seen) and hitting (one compiled before); and
//! how much resident memory each loaded adapter version costs.
//!
//! Run: `cargo bench -p scoreline --bench swap` (builds the ESPN component first).
//! `SCORELINE_BENCH_SWAPS` sets the swaps per series (20), `SCORELINE_BENCH_COPIES` the adapter
//! versions loaded for the memory figure (10). The memory part runs in child processes of this
//! binary, so the parent's own allocations (compiling, the latency runs) are not counted.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use scoreline::plugin_build;
use scoreline::sandbox::{Adapter, Provenance, Sandbox, SandboxConfig};
use scoreline::swap::{AdapterSlot, SwapOutcome, Swapper, watch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{ms, percentile};

/// Set in a child process: the directory of component copies to load for the memory figure.
const CHILD_DIR: &str = "SCORELINE_SWAP_BENCH_DIR";
/// Set in a child process: `cached` (artifacts read from the cache) or `compiled`.
const CHILD_MODE: &str = "SCORELINE_SWAP_BENCH_MODE";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The component with a custom section appended: the same code, other bytes, so another hash,
/// another cache key and another module.
fn variant(bytes: &[u8], tag: usize) -> Vec<u8> {
    let name = b"scoreline-bench-version";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.extend_from_slice(format!("{tag:06}").as_bytes());
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    out.push(payload.len() as u8); // its size (under 128: one LEB128 byte)
    out.extend_from_slice(&payload);
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Write `dir/espn.wasm` as a build does: a temporary file renamed into place.
fn install(dir: &Path, bytes: &[u8]) {
    let tmp = dir.join(".espn.wasm.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join("espn.wasm")).unwrap();
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "  {what}: p50 {:.1} ms, p99 {:.1} ms, min {:.1} ms, max {:.1} ms ({} swaps)",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

async fn until_serving(slot: &AdapterSlot, hash: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while slot.current().hash() != hash {
        assert!(Instant::now() < deadline, "version {hash} never served");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Part 1: swap latency through the file watch and through the upload.
fn latency(espn: &[u8], swaps: usize) {
    let plugins = tempfile::tempdir().unwrap();
    let dir = plugins.path().to_owned();
    // A fresh artifact cache: every new variant is a miss, a variant seen before a hit.
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(dir.join(".cache")),
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut tag = 0;
    let mut next = || {
        tag += 1;
        variant(espn, tag)
    };
    let first = next();
    install(&dir, &first);
    let slot = AdapterSlot::new(sandbox.load_file(&dir.join("espn.wasm")).unwrap());
    let leagues = BTreeMap::from([("espn".to_owned(), vec!["nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, dir.clone(), [slot.clone()], leagues);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "part 1: swap latency, the ESPN component ({} bytes), {swaps} swaps a series",
        espn.len()
    );
    // Through the file watch, with the daemon's debounce.
    let (miss, hit) = rt.block_on(async {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let watching = watch::spawn(swapper.clone(), &dir, watch::DEBOUNCE, stopped).unwrap();
        let series = |versions: Vec<Vec<u8>>| {
            let slot = slot.clone();
            let dir = dir.clone();
            async move {
                let mut samples = Vec::new();
                for bytes in versions {
                    let hash = sha256(&bytes);
                    // Let the previous change's events settle, as between two builds.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    install(&dir, &bytes);
                    let changed = Instant::now();
                    until_serving(&slot, &hash).await;
                    samples.push(changed.elapsed());
                }
                samples
            }
        };
        let fresh: Vec<Vec<u8>> = (0..swaps).map(|_| next()).collect();
        let seen = [
            fresh[fresh.len() - 2].clone(),
            fresh[fresh.len() - 1].clone(),
        ];
        let miss = series(fresh).await;
        // Alternate two versions compiled above, starting with the one not serving.
        let hit = series((0..swaps).map(|i| seen[i % 2].clone()).collect()).await;
        stop.send(true).unwrap();
        watching.await.unwrap();
        (miss, hit)
    });
    println!(
        "  file watch (debounce {} ms, included):",
        watch::DEBOUNCE.as_millis()
    );
    report("  cache miss (a new version, compiled)", miss);
    report("  cache hit (a version compiled before)", hit);

    // Through `Swapper::upload` (what `POST /admin/plugins` runs): the call returns with the new
    // version serving.
    let upload = |bytes: &[u8]| {
        let hash = sha256(bytes);
        let began = Instant::now();
        let outcome = swapper.upload("espn", bytes).unwrap();
        let took = began.elapsed();
        assert!(matches!(outcome, SwapOutcome::Swapped { ref to, .. } if *to == hash));
        assert_eq!(slot.current().hash(), hash);
        took
    };
    let fresh: Vec<Vec<u8>> = (0..swaps).map(|_| next()).collect();
    let seen = [
        fresh[fresh.len() - 2].clone(),
        fresh[fresh.len() - 1].clone(),
    ];
    let miss: Vec<Duration> = fresh.iter().map(|b| upload(b)).collect();
    let hit: Vec<Duration> = (0..swaps).map(|i| upload(&seen[i % 2])).collect();
    println!("  upload:");
    report("  cache miss (a new version, compiled)", miss);
    report("  cache hit (a version compiled before)", hit);
}

/// In a child process: load every component in `dir` and keep them all, printing RSS before
/// and after. `compiled` compiles each in this process; otherwise they come from the cache.
fn child(dir: &Path, compiled: bool) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: (!compiled).then(|| dir.join(".cache")),
        ..SandboxConfig::default()
    })
    .unwrap();
    // One load first, so what every adapter shares (engine, code of the host paths, the
    // allocator's first arenas) is in the baseline.
    let warm = sandbox.load_bytes(&dir.join("warm"), &std::fs::read(&files[0]).unwrap());
    drop(warm);
    let before = rss_kib();
    let mut kept: Vec<Adapter> = Vec::new();
    for f in &files[1..] {
        let adapter = sandbox.load_file(f).unwrap();
        let want = if compiled {
            Provenance::Compiled
        } else {
            Provenance::Cached
        };
        assert_eq!(adapter.provenance(), want);
        kept.push(adapter);
    }
    let after = rss_kib();
    println!("{} {before} {after}", kept.len());
}

/// Part 2: RSS per loaded adapter version, in child processes.
fn memory(espn: &[u8], copies: usize) {
    let dir = tempfile::tempdir().unwrap();
    // `copies` distinct versions plus the warm-up one, each compiled once into the cache.
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(dir.path().join(".cache")),
        ..SandboxConfig::default()
    })
    .unwrap();
    for i in 0..=copies {
        let path = dir.path().join(format!("espn-{i:03}.wasm"));
        std::fs::write(&path, variant(espn, 1_000 + i)).unwrap();
        sandbox.load_file(&path).unwrap();
    }
    drop(sandbox);
    let artifacts: Vec<u64> = std::fs::read_dir(dir.path().join(".cache"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .collect();
    println!("part 2: memory per loaded adapter version, {copies} distinct ESPN versions kept");
    println!(
        "  component file {:.1} KiB; compiled artifact (.cwasm) {:.1} KiB",
        espn.len() as f64 / 1024.0,
        artifacts.iter().copied().max().unwrap_or(0) as f64 / 1024.0
    );
    for mode in ["cached", "compiled"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env(CHILD_DIR, dir.path())
            .env(CHILD_MODE, mode)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout);
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let (n, before, after) = (v[0], v[1], v[2]);
        let what = if mode == "cached" {
            "from the artifact cache (a restart, a swap back)"
        } else {
            "compiled in-process (a new version)"
        };
        println!(
            "  {what}: RSS {:.1} -> {:.1} MiB for {n} versions = {:.2} MiB a version",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / 1024.0 / n as f64
        );
    }
}

fn main() {
    if let (Ok(dir), Ok(mode)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_MODE)) {
        child(Path::new(&dir), mode == "compiled");
        return;
    }
    // `cargo bench` passes `--bench`; any other argument is ignored.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("target/bench-plugins");
    let built = plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &out)
        .expect("build espn component");
    let espn = std::fs::read(&built[0].path).unwrap();
    latency(&espn, env_usize("SCORELINE_BENCH_SWAPS", 20));
    memory(&espn, env_usize("SCORELINE_BENCH_COPIES", 10));
}
