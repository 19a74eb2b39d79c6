//! Whether the browser half (the hydrate script and its wasm) is there to be named in the
//! pages: `.ci/demo` serves before it is built, and pages then go without a script.

use std::path::{Path, PathBuf};

use leptos::prelude::LeptosOptions;

/// True when the page may name the hydration script: `/pkg/app.js` (cargo-leptos), or
/// with hashed names the script `hash.txt` names. Until then, pages are sent without
/// one (they all work without JavaScript) instead of pointing the browser at a 404.
/// Asked on every page, as leptos reads `hash.txt` on every page: a later
/// `.ci/build-site --servers` takes the script away again until `--browser` publishes
/// one built from the same sources.
pub fn is_built(options: &LeptosOptions) -> bool {
    script(options).is_some_and(|js| js.is_file())
}

/// `hash.txt`, next to the binary, as leptos reads it with `hash_files`.
fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// Where the script is, or `None` when the hash file names none (yet).
fn script(options: &LeptosOptions) -> Option<PathBuf> {
    let hashes = if options.hash_files {
        Some(std::fs::read_to_string(hash_file(options)?).ok()?)
    } else {
        None
    };
    let name = script_name(options.output_name.as_ref(), hashes.as_deref())?;
    Some(
        Path::new(options.site_root.as_ref())
            .join(options.site_pkg_dir.as_ref())
            .join(name),
    )
}

/// `app.js`, or with a hash file's text `app.<hash>.js` from its `js:` line.
fn script_name(output_name: &str, hashes: Option<&str>) -> Option<String> {
    match hashes {
        None => Some(format!("{output_name}.js")),
        Some(text) => {
            let hash = text
                .lines()
                .find_map(|line| line.trim().strip_prefix("js:"))?
                .trim();
            (!hash.is_empty()).then(|| format!("{output_name}.{hash}.js"))
        }
    }
}

/// Says at start when pages will not hydrate, naming the file and the fix, so a page
/// that never comes alive is not left to a 404 in the browser to explain.
pub fn log_if_missing(options: &LeptosOptions) {
    if is_built(options) {
        return;
    }
    if options.hash_files {
        tracing::info!(
            "the browser half is not published yet: pages are served without JavaScript \
             until .ci/build-site --browser (or .ci/demo, which runs it) writes it"
        );
        return;
    }
    let js = script(options).unwrap_or_default();
    let hashed = hash_file(options).is_some_and(|hash| hash.is_file());
    if hashed {
        tracing::warn!(
            missing = %js.display(),
            "the browser half was built with hashed file names: set LEPTOS_HASH_FILES=true, \
             or pages will not hydrate"
        );
    } else {
        tracing::warn!(
            missing = %js.display(),
            "no browser half: pages render but will not hydrate. Build it with .ci/build-site \
             (or cargo leptos build), or point LEPTOS_SITE_ROOT at it"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::script_name;

    #[test]
    fn without_hashes_the_script_is_the_output_name() {
        assert_eq!(script_name("app", None).as_deref(), Some("app.js"));
    }

    #[test]
    fn a_hash_file_names_the_hashed_script() {
        let hashes = "css: c0ffee\njs: 1234abcd\nwasm: 5678\n";
        assert_eq!(
            script_name("app", Some(hashes)).as_deref(),
            Some("app.1234abcd.js")
        );
    }

    #[test]
    fn a_hash_file_with_the_style_sheet_only_names_no_script() {
        assert_eq!(script_name("app", Some("css: c0ffee\n")), None);
        assert_eq!(script_name("app", Some("css: c0ffee\njs: \n")), None);
    }
}
