//! `scoreline plugin build`: compile adapter crates to `wasm32-wasip2` components and place them
//! in the plugin directory as `<name>.wasm`, finding the artifacts through cargo's JSON messages.

use cargo_metadata::{Message, Metadata, MetadataCommand, PackageId};
use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The target every adapter is built for.
pub const TARGET: &str = "wasm32-wasip2";
/// The cargo profile adapters are built with (release, LTO, one codegen unit, stripped).
pub const PROFILE: &str = "guest";

/// A failed build.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `cargo metadata` failed.
    #[error("cannot read the workspace at `{path}`: {message}")]
    Metadata {
        /// Workspace root.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// No adapter crate matched.
    #[error("no adapter crate found under `{0}`")]
    NoPackages(PathBuf),
    /// Cargo could not be started or its output read.
    #[error("cannot run cargo: {0}")]
    Spawn(std::io::Error),
    /// Cargo reported a failed build.
    #[error(
        "cargo build for {TARGET} failed (is the target installed? `rustup target add {TARGET}`)"
    )]
    Cargo,
    /// A package produced no component.
    #[error("package `{0}` produced no .wasm component (is its crate-type cdylib?)")]
    NoArtifact(String),
    /// The component could not be copied into place.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// Destination.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One component placed in the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Cargo package name.
    pub package: String,
    /// Where the component now is.
    pub path: PathBuf,
}

/// The file name a package's component gets: `scoreline-plugin-espn` → `espn.wasm`.
pub fn component_file_name(package: &str) -> String {
    let short = package
        .strip_prefix("scoreline-plugin-")
        .or_else(|| package.strip_prefix("scoreline-"))
        .unwrap_or(package);
    format!("{short}.wasm")
}

/// The adapter crates of the workspace at `root`: every package whose manifest is under
/// `root/plugins/`.
pub fn adapter_packages(root: &Path) -> Result<Vec<String>, BuildError> {
    let metadata = workspace_metadata(root)?;
    let plugins = metadata.workspace_root.as_std_path().join("plugins");
    let mut names: Vec<String> = metadata
        .workspace_packages()
        .into_iter()
        .filter(|p| p.manifest_path.as_std_path().starts_with(&plugins))
        .map(|p| p.name.to_string())
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(BuildError::NoPackages(plugins));
    }
    Ok(names)
}

fn workspace_metadata(root: &Path) -> Result<Metadata, BuildError> {
    MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .map_err(|e| BuildError::Metadata {
            path: root.to_owned(),
            message: e.to_string(),
        })
}

/// Build `packages` of the workspace at `root` for [`TARGET`] and copy each component to
/// `out_dir/<name>.wasm` (written to a temporary name and renamed, so a watcher never sees half a
/// file).
pub fn build(root: &Path, packages: &[String], out_dir: &Path) -> Result<Vec<Built>, BuildError> {
    // Artifacts are matched to packages by package id: a lib target's name is the package's with
    // `-` as `_`, or whatever its `[lib] name` says, so names cannot be compared.
    let ids: HashMap<PackageId, String> = workspace_metadata(root)?
        .packages
        .into_iter()
        .filter(|p| packages.iter().any(|want| *want == *p.name))
        .map(|p| (p.id, p.name.to_string()))
        .collect();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args([
            "build",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
            "--message-format=json-render-diagnostics",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for p in packages {
        cmd.args(["-p", p]);
    }
    let mut child = cmd.spawn().map_err(BuildError::Spawn)?;
    let mut artifacts: Vec<(String, PathBuf)> = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for message in Message::parse_stream(BufReader::new(stdout)) {
            match message.map_err(BuildError::Spawn)? {
                Message::CompilerArtifact(a) => {
                    if let Some(package) = ids.get(&a.package_id) {
                        let wasm = a
                            .filenames
                            .into_iter()
                            .filter(|f| f.extension() == Some("wasm"));
                        artifacts.extend(wasm.map(|f| (package.clone(), f.into_std_path_buf())));
                    }
                }
                Message::CompilerMessage(m) => {
                    eprint!("{}", m.message.rendered.unwrap_or_default())
                }
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(BuildError::Spawn)?;
    if !status.success() {
        return Err(BuildError::Cargo);
    }
    std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let mut built = Vec::new();
    for package in packages {
        let Some((_, src)) = artifacts.iter().find(|(name, _)| name == package) else {
            return Err(BuildError::NoArtifact(package.clone()));
        };
        let dest = out_dir.join(component_file_name(package));
        let tmp = out_dir.join(format!(".{}.tmp", component_file_name(package)));
        std::fs::copy(src, &tmp)
            .and_then(|_| std::fs::rename(&tmp, &dest))
            .map_err(|source| BuildError::Write {
                path: dest.clone(),
                source,
            })?;
        tracing::info!(package = %package, path = %dest.display(), "component built");
        built.push(Built {
            package: package.clone(),
            path: dest,
        });
    }
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(component_file_name("scoreline-plugin-espn"), "espn.wasm");
        assert_eq!(
            component_file_name("scoreline-test-hostile"),
            "test-hostile.wasm"
        );
        assert_eq!(component_file_name("my-adapter"), "my-adapter.wasm");
    }
}
