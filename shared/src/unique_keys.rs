//! A JSON value as a request sends it, refusing a key given twice in any object at any depth.
//! A request type's own fields refuse a repeated key (serde's derive does), but serde_json's
//! `Value` silently keeps the last one: a field that takes free-form JSON, to read it with
//! messages of its own (the survey's answers), takes this instead, so that
//! `{"living": "together", "living": "apart"}` is refused as a malformed request rather than
//! read as either.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct UniqueKeys(pub Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

/// Builds the `Value` as serde_json's own visitor does, but for the check of each object's keys.
struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value whose objects name each key once")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(value.into())
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(value.into())
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut array = Vec::new();
        while let Some(UniqueKeys(item)) = items.next_element()? {
            array.push(item);
        }
        Ok(Value::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let UniqueKeys(value) = entries.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<UniqueKeys>(text).map(|UniqueKeys(value)| value)
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, 18446744073709551615, 1.0, "x", true, null, {}], "b": {"c": "\u3042"}}"#,
            "[]",
            "1e400",
            r#"{"a": }"#,
        ] {
            match (read(text), serde_json::from_str::<Value>(text)) {
                (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{text}"),
                (ours, theirs) => assert!(ours.is_err() && theirs.is_err(), "{text}"),
            }
        }
    }

    #[test]
    fn refuses_a_key_given_twice_at_any_depth() {
        for text in [
            r#"{"living": "together", "living": "apart"}"#,
            r#"{"school": {"year": 1, "year": 1}}"#,
            r#"{"incomes": [{"kind": "wages", "per": "month", "kind": "bonus"}]}"#,
        ] {
            let error = read(text).unwrap_err().to_string();
            assert!(error.starts_with("duplicate key"), "{text}: {error}");
        }
        assert!(read(r#"{"a": {"b": 1}, "b": {"a": 1}}"#).is_ok());
    }
}
