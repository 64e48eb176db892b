//! InfluxDB line protocol: the [`Point`] type and its encoding (pure, no I/O).
//!
//! Escaping is InfluxData's own builder (`influxdb-line-protocol`): commas, spaces and `=` in
//! measurement names, tag keys, tag values and field keys are backslash-escaped; string field
//! values are quoted with `"` and `\` escaped; integers carry `i`. On top of the spec we
//! normalise what InfluxDB 1.x and 2.x parse differently or not at all, so a line means the same
//! to every server:
//! - control characters (newline, carriage return, tab, ...) in names, tag values and string
//!   fields become a space: line protocol has no escape for a newline;
//! - a backslash in a name or tag value becomes `/` (1.x keeps `\\` literally in tags, 2.x
//!   unescapes it);
//! - a tag whose value is empty is left out (the spec forbids empty tag values);
//! - tags are written sorted by key (what InfluxDB recommends for write performance).
//!
//! A point with no field, a non-finite float or an empty measurement is refused with
//! [`LineError`].

use influxdb_line_protocol::LineProtocolBuilder;
use influxdb_line_protocol::builder::{AfterField, AfterMeasurement};
use thiserror::Error;

/// A field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Signed integer, written `42i`.
    Int(i64),
    /// Float, written in Rust's shortest round-trip form.
    Float(f64),
    /// Boolean, written `true`/`false`.
    Bool(bool),
    /// String, written quoted.
    Str(String),
}

/// One point: measurement, tags, fields and a nanosecond timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Measurement name.
    pub measurement: String,
    /// Tag key/value pairs (order does not matter; written sorted by key).
    pub tags: Vec<(String, String)>,
    /// Field key/value pairs, written in this order.
    pub fields: Vec<(String, FieldValue)>,
    /// Unix time in nanoseconds.
    pub time_ns: i64,
}

/// Why a point cannot be encoded.
#[derive(Debug, Error, PartialEq)]
pub enum LineError {
    /// Line protocol needs at least one field.
    #[error("point in measurement `{measurement}` has no field")]
    NoField {
        /// The measurement.
        measurement: String,
    },
    /// Empty measurement name.
    #[error("point has an empty measurement name")]
    EmptyMeasurement,
    /// An empty tag or field key.
    #[error("point in measurement `{measurement}` has an empty key")]
    EmptyKey {
        /// The measurement.
        measurement: String,
    },
    /// NaN or infinity cannot be written.
    #[error("field `{field}` of measurement `{measurement}` is not a finite number: {value}")]
    NonFinite {
        /// The measurement.
        measurement: String,
        /// The field key.
        field: String,
        /// The value.
        value: f64,
    },
}

impl Point {
    /// A point with no tags or fields yet.
    pub fn new(measurement: &str, time_ns: i64) -> Point {
        Point {
            measurement: measurement.to_string(),
            tags: Vec::new(),
            fields: Vec::new(),
            time_ns,
        }
    }

    /// Add a tag (an empty value is kept here and left out when encoded).
    pub fn tag(mut self, key: &str, value: &str) -> Point {
        self.tags.push((key.to_string(), value.to_string()));
        self
    }

    /// Add a field.
    pub fn field(mut self, key: &str, value: FieldValue) -> Point {
        self.fields.push((key.to_string(), value));
        self
    }

    /// Add an integer field when `value` is some.
    pub fn int_opt(self, key: &str, value: Option<i64>) -> Point {
        match value {
            Some(v) => self.field(key, FieldValue::Int(v)),
            None => self,
        }
    }

    /// Add a string field when `value` is some.
    pub fn str_opt(self, key: &str, value: Option<&str>) -> Point {
        match value {
            Some(v) => self.field(key, FieldValue::Str(v.to_string())),
            None => self,
        }
    }

    /// The point as InfluxDB will store it: names and tags normalised (see the module doc),
    /// empty tags dropped, tags sorted by key. Encoding a point and parsing the line back gives
    /// exactly this.
    pub fn normalized(&self) -> Point {
        let mut tags: Vec<(String, String)> = self
            .tags
            .iter()
            .map(|(k, v)| (clean_name(k), clean_name(v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        tags.sort_by(|a, b| a.0.cmp(&b.0));
        let fields = self
            .fields
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    FieldValue::Str(s) => FieldValue::Str(clean_string(s)),
                    other => other.clone(),
                };
                (clean_name(k), v)
            })
            .collect();
        Point {
            measurement: clean_name(&self.measurement),
            tags,
            fields,
            time_ns: self.time_ns,
        }
    }
}

/// A name or tag value: control characters become a space, `\` becomes `/`.
fn clean_name(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\\' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// A string field value: control characters become a space.
fn clean_string(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Append `point` as one line (ending in `\n`) to `out`. On error `out` is unchanged.
pub fn encode_into(point: &Point, out: &mut Vec<u8>) -> Result<(), LineError> {
    let p = point.normalized();
    if p.measurement.is_empty() {
        return Err(LineError::EmptyMeasurement);
    }
    let Some((k0, v0)) = p.fields.first() else {
        return Err(LineError::NoField {
            measurement: p.measurement,
        });
    };
    let empty_key =
        p.tags.iter().any(|(k, _)| k.is_empty()) || p.fields.iter().any(|(k, _)| k.is_empty());
    if empty_key {
        return Err(LineError::EmptyKey {
            measurement: p.measurement,
        });
    }
    for (k, v) in &p.fields {
        if let FieldValue::Float(f) = v
            && !f.is_finite()
        {
            return Err(LineError::NonFinite {
                measurement: p.measurement.clone(),
                field: k.clone(),
                value: *f,
            });
        }
    }
    let buf = std::mem::take(out);
    let mut b: LineProtocolBuilder<Vec<u8>, AfterMeasurement> =
        LineProtocolBuilder::new_with(buf).measurement(&p.measurement);
    for (k, v) in &p.tags {
        b = b.tag(k, v);
    }
    let mut b: LineProtocolBuilder<Vec<u8>, AfterField> = first_field(b, k0, v0);
    for (k, v) in &p.fields[1..] {
        b = next_field(b, k, v);
    }
    *out = b.timestamp(p.time_ns).close_line().build();
    Ok(())
}

/// `point` as one line, without the trailing newline.
pub fn encode(point: &Point) -> Result<String, LineError> {
    let mut out = Vec::with_capacity(256);
    encode_into(point, &mut out)?;
    if out.last() == Some(&b'\n') {
        out.pop();
    }
    // The builder writes only what `format!` produced from `&str`s: valid UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn first_field(
    b: LineProtocolBuilder<Vec<u8>, AfterMeasurement>,
    k: &str,
    v: &FieldValue,
) -> LineProtocolBuilder<Vec<u8>, AfterField> {
    match v {
        FieldValue::Int(i) => b.field(k, *i),
        FieldValue::Float(f) => b.field(k, *f),
        FieldValue::Bool(x) => b.field(k, *x),
        FieldValue::Str(s) => b.field(k, s.as_str()),
    }
}

fn next_field(
    b: LineProtocolBuilder<Vec<u8>, AfterField>,
    k: &str,
    v: &FieldValue,
) -> LineProtocolBuilder<Vec<u8>, AfterField> {
    match v {
        FieldValue::Int(i) => b.field(k, *i),
        FieldValue::Float(f) => b.field(k, *f),
        FieldValue::Bool(x) => b.field(k, *x),
        FieldValue::Str(s) => b.field(k, s.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use influxdb_line_protocol::{FieldValue as Parsed, parse_lines};
    use proptest::prelude::*;

    /// Parse one line back into a [`Point`] with the crate's parser.
    fn parse_back(line: &str) -> Point {
        let mut lines = parse_lines(line);
        let parsed = lines.next().expect("one line").expect("parses");
        assert!(lines.next().is_none(), "exactly one line: {line:?}");
        to_point(&parsed)
    }

    fn to_point(parsed: &influxdb_line_protocol::ParsedLine<'_>) -> Point {
        let tags = parsed
            .series
            .tag_set
            .as_ref()
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let fields = parsed
            .field_set
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Parsed::I64(i) => FieldValue::Int(*i),
                    Parsed::U64(u) => FieldValue::Int(i64::try_from(*u).expect("fits")),
                    Parsed::F64(f) => FieldValue::Float(*f),
                    Parsed::Boolean(b) => FieldValue::Bool(*b),
                    Parsed::String(s) => FieldValue::Str(s.to_string()),
                };
                (k.to_string(), v)
            })
            .collect();
        Point {
            measurement: parsed.series.measurement.to_string(),
            tags,
            fields,
            time_ns: parsed.timestamp.expect("timestamp"),
        }
    }

    #[test]
    fn escapes_per_spec() {
        let p = Point::new("game state", 1_700_000_000_000_000_000)
            .tag("team", "A,B=C D")
            .tag("league", "nfl")
            .tag("empty", "")
            .field("desc", FieldValue::Str(r#"he said "go" \ now"#.into()))
            .field("home score", FieldValue::Int(7))
            .field("ot", FieldValue::Bool(true))
            .field("x", FieldValue::Float(1.5));
        assert_eq!(
            encode(&p).unwrap(),
            r#"game\ state,league=nfl,team=A\,B\=C\ D desc="he said \"go\" \\ now",home\ score=7i,ot=true,x=1.5 1700000000000000000"#
        );
    }

    #[test]
    fn newline_backslash_and_refusals() {
        let p = Point::new("m", 1)
            .tag("t", "a\\b\nc")
            .field("s", FieldValue::Str("x\ny".into()));
        assert_eq!(encode(&p).unwrap(), r#"m,t=a/b\ c s="x y" 1"#);
        assert_eq!(
            encode(&Point::new("m", 1)),
            Err(LineError::NoField {
                measurement: "m".into()
            })
        );
        assert!(matches!(
            encode(&Point::new("m", 1).field("f", FieldValue::Float(f64::NAN))),
            Err(LineError::NonFinite { .. })
        ));
        assert_eq!(
            encode(&Point::new("", 1).field("f", FieldValue::Int(1))),
            Err(LineError::EmptyMeasurement)
        );
    }

    fn text() -> impl Strategy<Value = String> {
        // Printable ASCII with every special character, some Unicode, controls and newlines.
        proptest::string::string_regex("[ -~é→🏒\\n\\t\\r]{0,12}").expect("regex")
    }

    fn key() -> impl Strategy<Value = String> {
        // A key must be non-empty after normalisation; a leading `_` is reserved by InfluxDB.
        proptest::string::string_regex("[a-z][ -~é]{0,8}").expect("regex")
    }

    fn value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            any::<i64>().prop_map(FieldValue::Int),
            any::<bool>().prop_map(FieldValue::Bool),
            (-1e15f64..1e15).prop_map(FieldValue::Float),
            text().prop_map(FieldValue::Str),
        ]
    }

    fn point() -> impl Strategy<Value = Point> {
        (
            key(),
            proptest::collection::btree_map(key(), text(), 0..5),
            proptest::collection::btree_map(key(), value(), 1..6),
            any::<i64>(),
        )
            .prop_map(|(m, tags, fields, t)| Point {
                measurement: m,
                tags: tags.into_iter().collect(),
                fields: fields.into_iter().collect(),
                time_ns: t,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Every encoded line parses back (with InfluxData's parser) to the same point.
        #[test]
        fn encoded_lines_parse_back(p in point()) {
            let line = encode(&p).unwrap();
            prop_assert!(!line.contains('\n'));
            prop_assert_eq!(parse_back(&line), p.normalized());
        }

        /// A batch of lines parses back line by line, in order.
        #[test]
        fn batches_parse_back(ps in proptest::collection::vec(point(), 1..20)) {
            let mut out = Vec::new();
            for p in &ps {
                encode_into(p, &mut out).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            let back: Vec<Point> = parse_lines(&text)
                .map(|l| to_point(&l.unwrap()))
                .collect();
            let want: Vec<Point> = ps.iter().map(Point::normalized).collect();
            prop_assert_eq!(back, want);
        }
    }
}
