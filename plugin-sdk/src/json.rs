//! JSON access for adapters: typed decoding and dynamic lookups whose errors name the path.
//!
//! Prefer [`from_slice`] into `#[derive(Deserialize)]` structs that name only the fields you use:
//! it skips the rest without allocating and is the fastest way through a multi-megabyte feed. For
//! irregular documents, [`Node`] walks a [`serde_json::Value`] and every failed step says where
//! (`events[3].competitions[0].competitors: missing`).

use crate::AdapterError;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decode `body` into `T`. On failure the [`AdapterError::Parse`] message names the JSON path
/// that was missing or of the wrong type.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdapterError> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        // The fast path keeps no path; decode again only to explain the failure.
        Err(_) => {
            let de = &mut serde_json::Deserializer::from_slice(body);
            match serde_path_to_error::deserialize::<_, T>(de) {
                Ok(value) => Ok(value),
                Err(err) => {
                    let path = err.path().to_string();
                    let inner = err.into_inner();
                    Err(AdapterError::Parse(if path.is_empty() || path == "." {
                        format!("invalid JSON: {inner}")
                    } else {
                        format!("at `{path}`: {inner}")
                    }))
                }
            }
        }
    }
}

/// Decode `body` into `T` as [`from_slice`] does; but when it does not decode and is an upstream
/// error document (`{"message": "..."}`, as the MLB Stats API and the NHL's API answer), the error
/// is [`AdapterError::UpstreamMessage`] with that message.
pub fn from_slice_or_message<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdapterError> {
    from_slice(body).map_err(|err| match serde_json::from_slice::<ErrorDoc>(body) {
        Ok(ErrorDoc {
            message: Some(message),
        }) => AdapterError::UpstreamMessage(message),
        _ => err,
    })
}

/// An error document (`{"message": "..."}`), read only after a body failed to decode.
#[derive(Deserialize)]
struct ErrorDoc {
    /// Upstream's message.
    #[serde(default, deserialize_with = "crate::de::text")]
    message: Option<String>,
}

/// Parse `body` as a dynamic JSON value.
pub fn parse_value(body: &[u8]) -> Result<Value, AdapterError> {
    serde_json::from_slice(body).map_err(|e| AdapterError::Parse(format!("invalid JSON: {e}")))
}

/// A position in a JSON document that remembers how it was reached.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    /// The document root.
    pub fn root(value: &'a Value) -> Self {
        Node {
            value,
            path: String::new(),
        }
    }

    /// The value here.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// The path from the root, e.g. `events[0].competitions`.
    pub fn path(&self) -> &str {
        if self.path.is_empty() {
            "<root>"
        } else {
            &self.path
        }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The member `key` of this object; an error naming the path when absent or null.
    pub fn get(&self, key: &str) -> Result<Node<'a>, AdapterError> {
        self.opt(key)
            .ok_or_else(|| AdapterError::Parse(format!("missing field `{}`", self.child_path(key))))
    }

    /// The member `key` of this object when present and not null.
    pub fn opt(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Node {
                value,
                path: self.child_path(key),
            }),
        }
    }

    /// Follow `a.b.c` through objects; `None` at the first absent step.
    pub fn pointer(&self, dotted: &str) -> Option<Node<'a>> {
        let mut node = self.clone();
        for key in dotted.split('.') {
            node = node.opt(key)?;
        }
        Some(node)
    }

    /// The elements of this array; an error naming the path when it is not an array.
    pub fn array(&self) -> Result<Vec<Node<'a>>, AdapterError> {
        match self.value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, value)| Node {
                    value,
                    path: format!("{}[{i}]", self.path),
                })
                .collect()),
            other => Err(self.wrong("an array", other)),
        }
    }

    /// The elements of member `key` when it is an array; empty when absent.
    pub fn items(&self, key: &str) -> Result<Vec<Node<'a>>, AdapterError> {
        match self.opt(key) {
            Some(node) => node.array(),
            None => Ok(Vec::new()),
        }
    }

    /// This value as a string; numbers are written out (upstream ids come both ways).
    pub fn string(&self) -> Result<String, AdapterError> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(self.wrong("a string", other)),
        }
    }

    /// This value as a string slice, when it is a JSON string.
    pub fn str(&self) -> Result<&'a str, AdapterError> {
        match self.value {
            Value::String(s) => Ok(s),
            other => Err(self.wrong("a string", other)),
        }
    }

    /// Member `key` as a string, `None` when absent, null or empty.
    pub fn opt_string(&self, key: &str) -> Option<String> {
        self.opt(key)
            .and_then(|n| n.string().ok())
            .filter(|s| !s.is_empty())
    }

    /// This value as a whole number (string, integer or integral float, as in [`crate::parse::score`]).
    pub fn u32(&self) -> Result<u32, AdapterError> {
        crate::parse::score(self.value).ok_or_else(|| self.wrong("a whole number", self.value))
    }

    /// Member `key` as a whole number when present and numeric.
    pub fn opt_u32(&self, key: &str) -> Option<u32> {
        self.opt(key).and_then(|n| crate::parse::score(n.value))
    }

    /// This value as a boolean.
    pub fn bool(&self) -> Result<bool, AdapterError> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            other => Err(self.wrong("a boolean", other)),
        }
    }

    /// Member `key` as a boolean; `false` when absent or not a boolean.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.value.get(key), Some(Value::Bool(true)))
    }

    fn wrong(&self, expected: &str, found: &Value) -> AdapterError {
        let kind = match found {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        AdapterError::Parse(format!(
            "`{}`: expected {expected}, found {kind}",
            self.path()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Doc {
        #[allow(dead_code)]
        events: Vec<Event>,
    }
    #[derive(Debug, Deserialize)]
    struct Event {
        #[allow(dead_code)]
        id: String,
    }

    #[test]
    fn typed_errors_name_the_path() {
        let err = from_slice::<Doc>(br#"{"events":[{"id":"1"},{"name":"x"}]}"#).unwrap_err();
        assert_eq!(
            err,
            AdapterError::Parse("at `events[1]`: missing field `id` at line 1 column 34".into())
        );
        let err = from_slice::<Doc>(b"{\"events\": [").unwrap_err();
        assert!(err.message().contains("EOF"), "{err:?}");
    }

    #[test]
    fn upstream_error_documents_give_their_message() {
        let err = from_slice_or_message::<Doc>(br#"{"message":"Object not found"}"#).unwrap_err();
        assert_eq!(
            err,
            AdapterError::UpstreamMessage("Object not found".into())
        );
        let err = from_slice_or_message::<Doc>(br#"{"message":""}"#).unwrap_err();
        assert!(matches!(err, AdapterError::Parse(_)), "{err:?}");
        assert!(from_slice_or_message::<Doc>(br#"{"events":[],"message":"x"}"#).is_ok());
    }

    #[test]
    fn dynamic_errors_name_the_path() {
        let value = parse_value(br#"{"events":[{"competitions":[{"id":7}]}]}"#).unwrap();
        let root = Node::root(&value);
        let events = root.get("events").unwrap().array().unwrap();
        let comp = &events[0].get("competitions").unwrap().array().unwrap()[0];
        assert_eq!(comp.get("id").unwrap().string().unwrap(), "7");
        let err = comp.get("competitors").unwrap_err();
        assert_eq!(
            err.message(),
            "missing field `events[0].competitions[0].competitors`"
        );
        let err = comp.get("id").unwrap().array().unwrap_err();
        assert_eq!(
            err.message(),
            "`events[0].competitions[0].id`: expected an array, found a number"
        );
        assert!(root.items("nothing").unwrap().is_empty());
        assert_eq!(
            root.pointer("events").map(|n| n.path().to_owned()),
            Some("events".into())
        );
    }
}
