//! The architecture's rules, checked: the core's dependency tree holds no I/O crate, and no file
//! imports another that imports it back (`scripts/check-cycles`).

use crate::util::root;
use std::process::Command;

/// Crates that do I/O: none may be in `scoreline-core`'s normal dependency tree.
const IO_CRATES: [&str; 9] = [
    "tokio",
    "reqwest",
    "hyper",
    "axum",
    "rusqlite",
    "wasmtime",
    "wasmtime-wasi",
    "notify",
    "mio",
];

#[test]
fn core_depends_on_no_io_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "tree",
            "-p",
            "scoreline-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--offline",
            "--locked",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        names.contains(&"scoreline-core") && names.contains(&"chrono"),
        "unexpected cargo tree output: {text}"
    );
    let io: Vec<&&str> = names.iter().filter(|n| IO_CRATES.contains(n)).collect();
    assert!(
        io.is_empty(),
        "scoreline-core depends on I/O crates: {io:?}"
    );
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let out = Command::new("python3")
        .arg(root().join("scripts/check-cycles"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 import cycle(s)"), "{text}");
}
