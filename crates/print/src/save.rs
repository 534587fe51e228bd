//! Putting a printout on disk whole.

use std::io;
use std::path::Path;

/// Writes `bytes` to `out` whole: first beside it under a hidden name, then
/// renamed over it, so `out` is never half a file (a printer spooling it, or
/// a seller opening it, after a crash or a full disk sees the old file or
/// the new one). On an error nothing is left behind.
pub fn save(bytes: &[u8], out: &Path) -> io::Result<()> {
    let name = out.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", out.display()),
        )
    })?;
    let partial = out.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, out));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_replaces_the_old_one_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("labels.pdf");
        std::fs::write(&out, b"old").unwrap();
        save(b"%PDF-new", &out).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("missing-folder").join("labels.pdf");
        assert!(save(b"%PDF", &out).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(save(b"%PDF", Path::new("/")).is_err());
    }
}
