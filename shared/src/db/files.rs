//! Owner-only files: a SQLite database holds webhook secrets and personal data, so its
//! directory is made 0700 and the file 0600 before SQLite first opens it. SQLite gives the
//! `-wal` and `-shm` files it creates the database file's own mode, so they follow. Unix
//! only; elsewhere these are no-ops.

use std::io;
use std::path::Path;

use crate::settings::DatabaseUrl;

/// Prepares the file of a SQLite URL: its directory owner-only (created if missing), the
/// file itself created or tightened to 0600. Nothing to do for PostgreSQL.
pub(crate) fn prepare(url: &DatabaseUrl) -> io::Result<()> {
    let DatabaseUrl::Sqlite(path) = url else {
        return Ok(());
    };
    // In-memory and URI-style names are not files of ours.
    let name = path.to_string_lossy();
    if name == ":memory:" || name.starts_with("file:") {
        return Ok(());
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        private_dir(dir)?;
    }
    private_file(path)?;
    // Left by an earlier version or a crash with wider modes: SQLite keeps an existing
    // file's mode, so tighten them too.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            tighten(side, 0o600);
        }
    }
    Ok(())
}

/// Creates `dir` (and missing parents) as 0700, or tightens an existing one to 0700.
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        if !is_shared(dir) {
            tighten(dir, 0o700);
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` as an empty 0600 file when missing (so that SQLite never creates it with
/// the process's umask), or tightens an existing one.
fn private_file(path: &Path) -> io::Result<()> {
    if path.exists() {
        tighten(path, 0o600);
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Sets `mode` when the current one grants more. A failure (a file of another user, a
/// read-only mount) is logged, not fatal: the file stays as usable as it was.
fn tighten(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.permissions().mode() & 0o777 & !mode == 0 {
            return;
        }
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::warn!(path = %path.display(), error = %e, "could not make owner-only");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// A directory with the sticky bit (`/tmp`) is shared by design: closing it would break
/// everyone else's use of it, so it is never tightened.
fn is_shared(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o1000 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        true
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::db::{COMMON, Db};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn open(path: &Path) -> Db {
        let url = DatabaseUrl::Sqlite(path.to_path_buf());
        let settings = crate::settings::Settings::load_from("", None, Vec::new())
            .unwrap()
            .database;
        Db::open(&url, &settings, vec![COMMON]).unwrap()
    }

    fn side(path: &Path, suffix: &str) -> std::path::PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    }

    #[test]
    fn a_new_database_and_its_directory_are_owner_only_and_so_are_its_wal_and_shm_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let path = dir.join("staffing.db");
        // The migrations write, and the pool keeps a connection open: -wal and -shm exist.
        let _db = open(&path);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        for suffix in ["-wal", "-shm"] {
            let side = side(&path, suffix);
            assert!(side.exists(), "{} exists", side.display());
            assert_eq!(mode(&side), 0o600, "{suffix}");
        }
    }

    #[test]
    fn an_existing_open_directory_and_database_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("staffing.db");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _db = open(&path);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&side(&path, "-wal")), 0o600);
    }

    #[test]
    fn a_shared_sticky_directory_is_left_as_it_is() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        let path = tmp.path().join("x.db");
        prepare(&DatabaseUrl::Sqlite(path.clone())).unwrap();
        assert_eq!(
            std::fs::metadata(tmp.path()).unwrap().permissions().mode() & 0o7777,
            0o1777
        );
        assert_eq!(mode(&path), 0o600);
    }
}
