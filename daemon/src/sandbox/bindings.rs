//! The only host-side `bindgen!` of the adapter contract; generated types stay inside `sandbox`.
#![allow(missing_docs, clippy::all)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "scoreline:adapter/plugin@0.1.0",
});

pub use self::scoreline::adapter::types;
