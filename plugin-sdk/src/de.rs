//! Lenient serde helpers for loosely typed feeds: ids and scores that come as strings or numbers,
//! `null` where a value was expected, scalars wrapped in `{"value": ..}` objects, localized names
//! (`{"default": "Bruins", "fr": ..}`).
//!
//! Use them with `#[serde(default, deserialize_with = "de::num")]`. Every helper but [`id`] is for
//! a field that is *not* essential: a value of an unexpected shape reads as absent instead of
//! failing the whole body. Essential fields use [`id`] or plain types, which fail (and
//! [`crate::json::from_slice`] names the path) when the value is missing or unusable.
//!
//! All of them read the value once, into a private `Scalar` (string, number, boolean, the wanted
//! members of an object, or absent) with a reader that accepts every shape; each helper is then a
//! `match` that says which shapes it takes.

use crate::parse;
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use std::borrow::Cow;
use std::fmt;

/// A required id: a string or an integer, written out as a string.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match TEXT.read(d)?.into_text() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(de::Error::custom(
            "expected a non-empty id (string or number)",
        )),
    }
}

/// Optional text: strings pass, numbers and booleans are written out; `None` for null, empty
/// text, arrays and objects.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(TEXT.read(d)?.into_text().filter(|s| !s.is_empty()))
}

/// An optional id: a string or an integer, written out; `None` for null, empty text and every
/// other shape.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    text(d)
}

/// An optional boolean: `true`/`false` (or their text); `None` for anything else.
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match TEXT.read(d)?.into_text().as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    })
}

/// A localized name, `{"default": "Bruins", "fr": ".."}`, or a plain string; `None` when neither
/// carries non-empty text.
pub fn localized<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let name = match LOCALIZED.read(d)? {
        Scalar::Str(s) => Some(s.into_owned()),
        // The last `default` member counts, even when it carries no text.
        Scalar::Members(defaults) => defaults.into_iter().last().and_then(Scalar::into_text),
        _ => None,
    };
    Ok(name.filter(|s| !s.is_empty()))
}

/// An optional whole number in any shape ESPN uses: `3`, `3.0`, `"3"`, or an object carrying it
/// under `value` or `number` (`{"number": 3}` for weeks, `{"value": 3.0}` for scores).
pub fn num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(NUM.read(d)?.into_num())
}

/// An optional float (`12.5`, `"12.5"`); `None` for anything else.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match FLOAT.read(d)? {
        Scalar::U64(v) => Some(v as f64),
        Scalar::I64(v) => Some(v as f64),
        Scalar::F64(v) => v.is_finite().then_some(v),
        Scalar::Str(v) => v.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    })
}

/// A boolean flag: `true` or `"true"` is true; absent, null and everything else is false.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match FLAG.read(d)? {
        Scalar::Bool(v) => v,
        Scalar::Str(v) => v == "true",
        _ => false,
    })
}

/// A list that may be `null`: read as empty.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An upstream error text: a string, or an object's `message` / `description`.
pub fn message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match MESSAGE.read(d)? {
        Scalar::Str(s) => Some(s.into_owned()),
        // The first of the members that carries text (empty text included).
        Scalar::Members(members) => members.into_iter().find_map(Scalar::into_text),
        _ => None,
    })
}

/// One value as the helpers see it: a scalar, the wanted members of an object, or nothing usable.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    /// An object's members named in [`Lenient::members`], in the order they came, each read the
    /// same way; the other members are skipped.
    Members(Vec<Scalar<'de>>),
    /// `null` or an array.
    Absent,
}

impl Scalar<'_> {
    /// Strings pass, numbers and booleans are written out; `None` for anything else.
    fn into_text(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s.into_owned()),
            Scalar::U64(v) => Some(v.to_string()),
            Scalar::I64(v) => Some(v.to_string()),
            Scalar::F64(v) => Some(v.to_string()),
            Scalar::Bool(v) => Some(v.to_string()),
            Scalar::Members(_) | Scalar::Absent => None,
        }
    }

    /// A whole number (see [`num`]); of an object, the first member that is one.
    fn into_num(self) -> Option<u32> {
        match self {
            Scalar::U64(v) => u32::try_from(v).ok(),
            Scalar::I64(v) => u32::try_from(v).ok(),
            Scalar::F64(v) => parse::whole(v),
            Scalar::Str(v) => parse::score_str(&v),
            Scalar::Members(members) => members.into_iter().find_map(Scalar::into_num),
            Scalar::Bool(_) | Scalar::Absent => None,
        }
    }
}

/// Reads any value as a [`Scalar`] without failing; which object members it keeps is its
/// `members`.
#[derive(Clone, Copy)]
struct Lenient {
    /// What serde's type errors say was expected.
    expecting: &'static str,
    /// The object members worth reading; objects without them read as empty `Members`.
    members: &'static [&'static str],
}

const TEXT: Lenient = Lenient {
    expecting: "a string or a number",
    members: &[],
};
const FLAG: Lenient = Lenient {
    expecting: "a boolean",
    members: &[],
};
const FLOAT: Lenient = Lenient {
    expecting: "a number",
    members: &[],
};
const NUM: Lenient = Lenient {
    expecting: "a whole number",
    members: &["value", "number"],
};
const MESSAGE: Lenient = Lenient {
    expecting: "an error message",
    members: &["message", "description"],
};
const LOCALIZED: Lenient = Lenient {
    expecting: "a string or an object with `default`",
    members: &["default"],
};

impl Lenient {
    fn read<'de, D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> DeserializeSeed<'de> for Lenient {
    type Value = Scalar<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.read(d)
    }
}

impl<'de> Visitor<'de> for Lenient {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.read(d)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if self.members.contains(&key.as_ref()) {
                members.push(map.next_value_seed(self)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Scalar::Members(members))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "num")]
        n: Option<u32>,
        #[serde(default, deserialize_with = "text")]
        t: Option<String>,
        #[serde(default, deserialize_with = "float")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "flag")]
        b: bool,
        #[serde(default, deserialize_with = "list")]
        l: Vec<u32>,
    }

    fn row(json: &str) -> Row {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn lenient_shapes() {
        let r = row(r#"{"n":"27","t":12,"f":"4.5","b":true,"l":null}"#);
        assert_eq!(r.n, Some(27));
        assert_eq!(r.t.as_deref(), Some("12"));
        assert_eq!(r.f, Some(4.5));
        assert!(r.b);
        assert!(r.l.is_empty());
        let r = row(r#"{"n":{"value":3.0,"displayValue":"3"},"t":{"a":[1]},"f":null,"b":"x"}"#);
        assert_eq!(r.n, Some(3));
        assert_eq!(r.t, None);
        assert_eq!(r.f, None);
        assert!(!r.b);
        assert!(row(r#"{"b":"true"}"#).b);
        assert!(!row(r#"{"b":{"x":true}}"#).b);
        assert_eq!(row(r#"{"n":{"number":5}}"#).n, Some(5));
        assert_eq!(row(r#"{"n":-1}"#).n, None);
        assert_eq!(row(r#"{"n":2.5}"#).n, None);
        assert_eq!(row(r#"{"n":[1]}"#).n, None);
        assert_eq!(row("{}").n, None);
    }

    #[test]
    fn localized_names_optional_ids_and_flags() {
        #[derive(Deserialize)]
        struct P {
            #[serde(default, deserialize_with = "localized")]
            name: Option<String>,
            #[serde(default, deserialize_with = "opt_id")]
            id: Option<String>,
            #[serde(default, deserialize_with = "opt_flag")]
            top: Option<bool>,
            #[serde(default, deserialize_with = "message")]
            message: Option<String>,
        }
        let p: P = serde_json::from_str(r#"{"name":{"fr":"x","default":"Bruins"},"id":8471215,"top":"false","message":{"description":"no game"}}"#).unwrap();
        assert_eq!(
            (
                p.name.as_deref(),
                p.id.as_deref(),
                p.top,
                p.message.as_deref()
            ),
            (
                Some("Bruins"),
                Some("8471215"),
                Some(false),
                Some("no game")
            )
        );
        let p: P = serde_json::from_str(r#"{"name":{"fr":"x"},"id":"","top":[true],"message":7}"#)
            .unwrap();
        assert_eq!((p.name, p.id, p.top, p.message), (None, None, None, None));
        let p: P = serde_json::from_str(r#"{"name":"Bruins","text":""}"#).unwrap();
        assert_eq!(p.name.as_deref(), Some("Bruins"));
        assert_eq!(row(r#"{"t":""}"#).t, None);
    }

    #[test]
    fn ids_are_required() {
        #[derive(Deserialize)]
        struct E {
            #[serde(deserialize_with = "id")]
            #[allow(dead_code)]
            id: String,
        }
        assert!(serde_json::from_str::<E>(r#"{"id":401}"#).is_ok());
        assert!(serde_json::from_str::<E>(r#"{"id":null}"#).is_err());
        assert!(serde_json::from_str::<E>(r#"{"id":""}"#).is_err());
        assert!(serde_json::from_str::<E>("{}").is_err());
    }
}
