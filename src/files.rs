//! Reading the small files a user points oauthviz at (profiles, private keys): a regular file of
//! bounded size, so `/dev/zero`, a FIFO or a stray huge file is refused with a reason instead of
//! being read until memory runs out or waited on for ever. And writing the files a user asks
//! for (reports): atomically and owner-only.

use std::io::{Read as _, Write as _};
use std::path::Path;

/// Writes `text` to `path` the atomic way: a new owner-only file beside it, synced, then renamed
/// over it, so a reader never sees half a file and a crash leaves the old one whole.
pub fn write_private(path: &Path, text: &str) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} names no file", path.display()))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = options
        .open(&temp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&temp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("could not write {}: {e}", path.display())
    })
}

/// The text of the regular file at `path`, refused when it holds more than `max` bytes. The
/// error says what is wrong with the file, without its path (the caller names it).
pub fn read_small_text(path: &Path, max: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    let too_big = |n: u64| format!("it is {n} bytes, more than such a file can be ({max})");
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    // The file may grow between the look and the read: read at most one byte more than allowed.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_are_whole_and_owner_only() {
        let dir = std::env::temp_dir().join(format!("oauthviz-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.md");
        write_private(&path, "old").unwrap();
        write_private(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(write_private(&dir.join("missing/x.md"), "x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn devices_directories_and_large_files_are_refused() {
        assert_eq!(
            read_small_text(Path::new("/dev/zero"), 1024).unwrap_err(),
            "it is not a regular file"
        );
        assert_eq!(
            read_small_text(Path::new("/"), 1024).unwrap_err(),
            "it is not a regular file"
        );
        // A folder of its own: the tests run in parallel, and the other one removes its folder.
        let dir = std::env::temp_dir().join(format!("oauthviz-files-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let big = dir.join("big");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            read_small_text(&big, 1024)
                .unwrap_err()
                .contains("2048 bytes")
        );
        assert_eq!(read_small_text(&big, 4096).map(|t| t.len()), Ok(2048));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
