//! Tests of [`super::json`]: typed reads, paths, entries.
use super::*;
use serde_json::json;

#[test]
fn paths() {
    assert_eq!(key_path("$", "disco"), "$.disco");
    assert_eq!(key_path("$.disco", "before-id"), "$.disco[\"before-id\"]");
    assert_eq!(
        key_path("$.x", "urn:xmpp:dataforms:softwareinfo"),
        "$.x[\"urn:xmpp:dataforms:softwareinfo\"]"
    );
    assert_eq!(index_path("$.features", 2), "$.features[2]");
}

#[test]
fn entries_past_the_inline_ones() {
    // Twelve keys, "k" both inline and spilled: the last one wins.
    let mut o = Obj::top();
    for i in 0..12 {
        let key = if i == 2 || i == 10 {
            "k".to_owned()
        } else {
            format!("key{i}")
        };
        o.push(Cow::Owned(key), Val::Str(Cow::Owned(i.to_string())));
    }
    o.push(Cow::Borrowed("id"), Val::Str(Cow::Borrowed("x")));
    assert_eq!(o.keys().count(), 13);
    assert_eq!(o.string("k").unwrap().as_deref(), Some("10"));
    assert_eq!(o.string("k").unwrap(), None);
    assert_eq!(o.string("key11").unwrap().as_deref(), Some("11"));
    assert_eq!(o.string("key1").unwrap().as_deref(), Some("1"));
    let rest = o.into_rest();
    let keys: Vec<_> = rest.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id", "key0", "key3", "key4", "key5", "key6", "key7", "key8", "key9"
        ]
    );
}

#[test]
fn typed_reads() {
    let mut o = Obj::new(
        json!({"s": "x", "n": 5, "b": true, "z": null, "f": 1.5, "big": 300}),
        "$",
    )
    .unwrap();
    assert!(o.is_truthy("b"));
    assert!(!o.is_truthy("z"));
    assert_eq!(o.string("z").unwrap(), None);
    let err = o.string("n").unwrap_err();
    assert!(err.is_malformed());
    assert_eq!(err.json_path(), Some("$.n"));
    assert_eq!(
        err.to_string(),
        "invalid json at $.n: expected a string, found a number"
    );
    assert_eq!(
        o.integer::<i8>("f").unwrap_err().to_string(),
        "invalid json at $.f: expected an integer, found a number"
    );
    let err = o.integer::<i8>("big").unwrap_err();
    assert!(err.is_invalid());
    assert_eq!(
        err.to_string(),
        "invalid stanza: 300 at $.big is out of range"
    );
    assert_eq!(o.boolean("b").unwrap(), Some(true));
    assert_eq!(o.required_string("s").unwrap(), "x");
    assert_eq!(
        o.required_string("s").unwrap_err().to_string(),
        "invalid stanza: $ is missing \"s\""
    );
    assert!(o.into_rest().is_empty());
}

#[test]
fn key_tags() {
    // Against the plain definition: the first eight bytes, zero-padded.
    for key in [
        "",
        "a",
        "to",
        "id",
        "abc",
        "body",
        "state",
        "thread",
        "markabl",
        "markable",
        "occupant_id",
    ] {
        let mut bytes = [0u8; 8];
        let n = key.len().min(8);
        bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
        assert_eq!(key_tag(key), u64::from_be_bytes(bytes), "{key:?}");
    }
}
