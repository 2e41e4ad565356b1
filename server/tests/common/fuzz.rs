//! What the property tests share: how many cases, and junk where a value
//! should be.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

pub fn cases(default: u32) -> u32 {
    std::env::var("OP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn runner(default_cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        // Each case is a real request: shrinking a failure is worth a few.
        max_shrink_iters: 64,
        ..Config::default()
    })
}

/// A value where a field's value should be: wrong types, odd strings,
/// extremes, nesting.
pub fn junk() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        Just(Value::from("")),
        Just(Value::from(" ")),
        Just(Value::from("0000-00-00")),
        Just(Value::from("2026-02-30")),
        Just(Value::from("25:61")),
        Just(Value::from("staff:")),
        Just(Value::from("team:nope")),
        Just(Value::from("patient:⟨x⟩; DELETE patient;")),
        Just(Value::from("' OR 1=1 --")),
        Just(Value::from("\u{0}\u{202e}\u{feff}")),
        Just(Value::from("x".repeat(5000))),
        any::<i64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(-1)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
