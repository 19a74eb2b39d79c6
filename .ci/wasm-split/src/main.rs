//! Splits the site's wasm (built with `-Clink-args=--emit-relocs`) at its `#[lazy]`
//! functions and lazy routes, before wasm-bindgen runs on it:
//!
//!   wasm-split-site INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE LINK_NAME
//!
//! - MAIN_OUT.wasm: the main module, for wasm-bindgen (`--keep-lld-exports`);
//! - OUT_DIR/*.wasm: the split chunks, loaded by the link module (not for wasm-bindgen);
//! - OUT_DIR/LINK_NAME: the link module, a JS file that imports `initSync` from
//!   MAIN_MODULE (a path relative to it, such as `./app.js`) and loads the chunks;
//! - OUT_DIR/__wasm_split_manifest.json: for each split, the chunk file stems it needs,
//!   which leptos' `HydrationScripts` reads to preload a lazy route's files with its page.
//!
//! Prints the chunks' paths, one a line.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, main_out, main_module, link_name] = args.as_slice() else {
        eprintln!("usage: wasm-split-site INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE LINK_NAME");
        return ExitCode::from(2);
    };
    match split(input, out_dir, main_out, main_module, link_name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-split-site: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &str,
    out_dir: &str,
    main_out: &str,
    main_module: &str,
    link_name: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("reading {input}: {e}"))?;
    let out_dir = Path::new(out_dir);
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = out_dir;
    options.main_out_path = Path::new(main_out);
    options.main_module = main_module;
    options.link_name = link_name;
    let split = wasm_split_cli_support::transform(options).map_err(|e| format!("{e:?}"))?;

    // Sorted, so the same wasm gives the same file (and the same hashed name).
    let manifest: BTreeMap<&String, &Vec<String>> = split.prefetch_map.iter().collect();
    let entries: Vec<String> = manifest
        .iter()
        .map(|(split, stems)| {
            let stems: Vec<String> = stems.iter().map(|s| json_string(s)).collect();
            format!("  {}: [{}]", json_string(split), stems.join(", "))
        })
        .collect();
    std::fs::write(
        out_dir.join("__wasm_split_manifest.json"),
        format!("{{\n{}\n}}\n", entries.join(",\n")),
    )?;
    for chunk in &split.split_modules {
        println!("{}", chunk.display());
    }
    Ok(())
}

/// A JSON string literal. Written here rather than with serde_json, which would be this
/// build tool's only other dependency, for one flat object of chunk names.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
