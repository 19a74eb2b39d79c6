//! Replays every saved fuzz input (the corpus in `fuzz/corpus/`, and any crash cargo-fuzz
//! saved in `fuzz/artifacts/`) through the fuzz targets' checks, on stable: what fuzzing
//! found once stays fixed.

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

/// Every saved input of `target`.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let data = std::fs::read(&path).expect("a saved input");
            found.push((path.display().to_string(), data));
        }
    }
    found.sort();
    found
}

fn replay(target: &str, check: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(inputs.len() >= 5, "the {target} corpus is missing");
    for (path, data) in inputs {
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{path} fails the {target} check");
    }
}

#[test]
fn the_header_parser_corpus_passes() {
    replay("header", checks::header);
}

#[test]
fn the_normalizer_corpus_passes() {
    replay("normalize", checks::normalize);
}

#[test]
fn the_verify_corpus_passes() {
    replay("verify", checks::verify);
}
