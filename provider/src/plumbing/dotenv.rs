//! Settings from a `.env` file, for development: in the workspace root the service's own
//! (`app/.env`, `provider/.env`), elsewhere `.env` in the current directory.
//!
//! Variables already in the environment win; a deployment sets them there, with no file.

use std::path::{Path, PathBuf};

/// Loads the `.env` of the service whose crate folder is `crate_dir`, if there is one:
/// `{crate_dir}/.env` when the current directory is the workspace root (it holds
/// `{crate_dir}/Cargo.toml`), else `./.env`, so that one service never reads the other's.
/// Returns the file read; a file that does not parse stops the service, naming it.
pub fn load(crate_dir: &str) -> Result<Option<PathBuf>, String> {
    let path = if Path::new(crate_dir).join("Cargo.toml").is_file() {
        Path::new(crate_dir).join(".env")
    } else {
        PathBuf::from(".env")
    };
    if !path.is_file() {
        return Ok(None);
    }
    // Before any other thread reads the environment: `main` calls this first.
    dotenvy::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In a workspace root, the service's own file is read; a broken one names itself.
    #[test]
    fn the_service_reads_its_own_env_file_and_names_a_broken_one() {
        let root = std::env::temp_dir().join(format!("dotenv-{}", std::process::id()));
        let service = root.join("service");
        std::fs::create_dir_all(&service).unwrap();
        std::fs::write(service.join("Cargo.toml"), "").unwrap();
        let name = format!("PLUMBING_DOTENV_{}", std::process::id());
        std::fs::write(service.join(".env"), format!("{name}=from-the-file\n")).unwrap();
        let crate_dir = service.to_str().unwrap();
        assert_eq!(load(crate_dir).unwrap(), Some(service.join(".env")));
        assert_eq!(std::env::var(&name).as_deref(), Ok("from-the-file"));
        std::fs::write(service.join(".env"), "NOT A SETTING\n").unwrap();
        let err = load(crate_dir).unwrap_err();
        assert!(err.contains(".env"), "{err}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
