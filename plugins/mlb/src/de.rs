//! Lenient serde helpers for fields that are not essential: a value of an unexpected shape reads
//! as absent instead of failing the whole body.
//!
//! Essential fields (`gamePk`, `status`, team ids, `gameData`, `liveData`) use the SDK's strict
//! [`scoreline_plugin_sdk::parse::de_id`] or plain types, so that a body missing them fails with
//! an [`scoreline_plugin_sdk::AdapterError::Parse`] naming the path. Kept local because the SDK has
//! no optional-id, text or optional-boolean helper (see the crate README).

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// An optional id: a string or an integer, written out; `None` for null, empty text and every
/// other shape.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(TextVisitor)?.filter(|s| !s.is_empty()))
}

/// Optional text: strings pass, numbers and booleans are written out; `None` for null, empty
/// text, arrays and objects.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(TextVisitor)?.filter(|s| !s.is_empty()))
}

/// An optional boolean: `true`/`false` (or their text); `None` for anything else.
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match d.deserialize_any(TextVisitor)?.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    })
}

/// A boolean flag: `true` (or the text `"true"`) is true; absent, null and everything else false.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(
        d.deserialize_any(TextVisitor)?.as_deref(),
        Some("true")
    ))
}

/// A list that may be `null`: read as empty.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Scalars as text; containers and null as `None`.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map)?;
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(seq)?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_id")]
        id: Option<String>,
        #[serde(default, deserialize_with = "text")]
        text: Option<String>,
        #[serde(default, deserialize_with = "opt_flag")]
        top: Option<bool>,
        #[serde(default, deserialize_with = "flag")]
        flag: bool,
        #[serde(default, deserialize_with = "list")]
        list: Vec<u32>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn lenient_shapes() {
        let p = probe(r#"{"id":744914,"text":"Final","top":false,"flag":true,"list":[1]}"#);
        assert_eq!(p.id.as_deref(), Some("744914"));
        assert_eq!(p.text.as_deref(), Some("Final"));
        assert_eq!(p.top, Some(false));
        assert!(p.flag);
        assert_eq!(p.list, vec![1]);
        let p = probe(r#"{"id":null,"text":{"a":[1,2]},"top":"true","flag":"yes","list":null}"#);
        assert_eq!((p.id, p.text, p.top), (None, None, Some(true)));
        assert!(!p.flag);
        assert!(p.list.is_empty());
        let p = probe(r#"{"id":"","top":[true],"text":1.5}"#);
        assert_eq!((p.id, p.top, p.text.as_deref()), (None, None, Some("1.5")));
    }
}
