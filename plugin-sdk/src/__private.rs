//! Generated bindings and re-exports used by [`crate::export_adapter!`]; not a public API.

#![allow(missing_docs, unsafe_code, clippy::all)]

wit_bindgen::generate!({
    path: "../wit",
    world: "scoreline:adapter/plugin@0.1.0",
    pub_export_macro: true,
    export_macro_name: "__wit_export",
    default_bindings_module: "scoreline_plugin_sdk::__private",
    additional_derives: [PartialEq, serde::Serialize],
});
pub use exports::scoreline::adapter::adapter::Guest;
