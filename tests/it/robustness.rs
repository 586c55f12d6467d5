//! Arbitrary bytes and arbitrary TOML never panic the loader: every input gives
//! either content or diagnostics with a position.

use proptest::prelude::*;

use crate::fixture::{Fixture, advisory};

const P: &str = "2025/PK-2025-0001.md";

fn assert_no_panic(f: &Fixture) {
    if let Err(diags) = f.load() {
        assert!(!diags.is_empty());
        for d in diags {
            assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        }
    }
}

fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z\"\\\\ ]{0,12}".prop_map(|s| format!("\"{s}\"")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("2025-07-27T09:00:00Z".to_string()),
        Just("2025-07-27T09:00:00".to_string()),
        Just("2025-07-27".to_string()),
        Just("09:00:00".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..3).prop_map(|kv| format!(
                "{{ {} }}",
                kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
            )),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id"),
        Just("title"),
        Just("kind"),
        Just("published"),
        Just("severity"),
        Just("status"),
        Just("verification"),
        Just("summary"),
        Just("data"),
        Just("affected"),
        Just("affected_count"),
        Just("tags"),
        Just("draft"),
        Just("references"),
        Just("updates"),
        Just("covers"),
        Just("other"),
    ]
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        assert_no_panic(&Fixture::new().file(P, &bytes));
    }

    #[test]
    fn arbitrary_bytes_after_front_matter_start_never_panic(tail in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = b"+++\n".to_vec();
        bytes.extend(tail);
        assert_no_panic(&Fixture::new().file(P, &bytes).file("2025/PK-2025-0001.ur.md", b"+++\n+++\n"));
    }

    #[test]
    fn arbitrary_toml_never_panics(fields in prop::collection::vec((key(), toml_value()), 0..12)) {
        let front: String = fields.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        let text = format!("+++\n{front}+++\n\n## Protective measures\n\n- [ ] x\n");
        assert_no_panic(&Fixture::new().file(P, &text).file("2025/PK-2025-0001.ur.md", &text));
    }

    #[test]
    fn arbitrary_site_and_measures_toml_never_panic(fields in prop::collection::vec((key(), toml_value()), 0..8)) {
        let text: String = fields.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        assert_no_panic(&Fixture::new().file("site.toml", &text).file("measures.toml", &text).file(P, advisory("PK-2025-0001", "")));
    }
}
