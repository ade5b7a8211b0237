//! Profiles on disk: one `NAME.toml` per profile in the user's config directory.
//!
//! What the user wrote is never lost: writes go to a temporary file in the same directory that
//! is synced and then renamed over the target (so a crash leaves the old file or the new one,
//! never half of each), a file that does not parse is never replaced or deleted unless asked
//! for explicitly, and files are owner-only because they may hold a client secret.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Profile, ProfileError, file_stem, parse, read_profile_text};

const EXTENSION: &str = "toml";
const MAX_NAME_CHARS: usize = 64;
/// `--provider demo` means the embedded demo provider, so a profile of that name could never run.
const RESERVED_NAMES: &[&str] = &["demo"];

/// Whether a save writes the client secret into the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretChoice {
    /// The secret is left out; it comes from `client_secret_env` or is asked for at run time.
    DoNotStore,
    /// The user asked for the secret to be kept in the (owner-only) file.
    Store,
}

/// One entry of [`ProfileStore::list`]: a profile and its name, or why its file is unusable.
pub type Listed = Result<(String, Profile), ProfileError>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileStore {
    dir: PathBuf,
}

/// Checks that `name` can be a file stem on its own: no path separators, no leading dot
/// (hidden files, `..`), at most 64 characters, nothing invisible.
pub fn validate_name(name: &str) -> Result<(), ProfileError> {
    let bad = |reason: &str| {
        Err(ProfileError::BadName {
            name: name.to_owned(),
            reason: reason.to_owned(),
        })
    };
    if name.is_empty() {
        return bad("the name is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad("it is longer than 64 characters");
    }
    if name.contains(['/', '\\']) {
        return bad("it contains a path separator (/ or \\)");
    }
    if name.starts_with('.') {
        return bad("it starts with a dot");
    }
    if name.trim() != name {
        return bad("it starts or ends with a space");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains a control character");
    }
    if name.to_ascii_lowercase().ends_with(".toml") {
        return bad("it ends with .toml, which names a file path: leave the extension out");
    }
    if RESERVED_NAMES.contains(&name) {
        return bad("'demo' is the embedded demo provider (--provider demo)");
    }
    Ok(())
}

/// Makes temp names unique within the process, so two saves never share one.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl ProfileStore {
    /// The store in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `profiles/` in the user's config directory (`~/.config/oauthviz/profiles` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "oauthviz").map(|d| d.config_dir().join("profiles"))
    }

    pub fn open_default() -> Result<Self, String> {
        Self::default_dir().map(Self::new).ok_or_else(|| {
            "cannot find the user's config directory (is HOME set?): give the profile as a path to its .toml file".to_owned()
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the profile `name` lives (whether or not it exists).
    pub fn path_of(&self, name: &str) -> Result<PathBuf, ProfileError> {
        validate_name(name)?;
        Ok(self.dir.join(format!("{name}.{EXTENSION}")))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path_of(name)
            .is_ok_and(|p| fs::symlink_metadata(p).is_ok())
    }

    /// Every profile, sorted by name; a file that does not parse is listed as its error (and
    /// left alone) so the user can see and fix it. Temporary files are not profiles.
    pub fn list(&self) -> Vec<Listed> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                return vec![Err(ProfileError::Io {
                    path: self.dir.clone(),
                    action: "list",
                    message: e.to_string(),
                })];
            }
        };
        let mut found: Vec<(String, Listed)> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION)
                || entry.file_name().to_string_lossy().starts_with('.')
                || path.is_dir()
            {
                continue;
            }
            let name = file_stem(&path);
            let item = match validate_name(&name) {
                Err(e) => Err(e),
                Ok(()) => self.load_path(&name, &path).map(|p| (name.clone(), p)),
            };
            found.push((name, item));
        }
        found.sort_by(|a, b| {
            a.0.to_lowercase()
                .cmp(&b.0.to_lowercase())
                .then(a.0.cmp(&b.0))
        });
        found.into_iter().map(|(_, item)| item).collect()
    }

    pub fn load(&self, name: &str) -> Result<Profile, ProfileError> {
        let path = self.path_of(name)?;
        if fs::symlink_metadata(&path).is_err() {
            return Err(ProfileError::NotFound {
                name: name.to_owned(),
                path,
            });
        }
        self.load_path(name, &path)
    }

    fn load_path(&self, name: &str, path: &Path) -> Result<Profile, ProfileError> {
        let text = read_profile_text(path)?;
        let mut profile = parse(path, &text)?;
        // The file name is the profile's name in the store, whatever the file says.
        profile.name = name.to_owned();
        Ok(profile)
    }

    /// Writes `profile` as `profile.name`, creating or replacing it. Refuses to replace a file
    /// that does not parse ([`ProfileError::MalformedTarget`]); see [`ProfileStore::force_save`].
    pub fn save(&self, profile: &Profile, secret: SecretChoice) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(&profile.name)?;
        self.refuse_if_malformed(&path)?;
        self.write(&path, profile, secret)
    }

    /// Like [`ProfileStore::save`] but fails if the name is taken: for "new profile".
    pub fn create(&self, profile: &Profile, secret: SecretChoice) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(&profile.name)?;
        if fs::symlink_metadata(&path).is_ok() {
            return Err(ProfileError::AlreadyExists {
                name: profile.name.clone(),
                path,
            });
        }
        self.write(&path, profile, secret)
    }

    /// Saves even over a file that does not parse: only when the user confirmed that its
    /// content may go.
    pub fn force_save(
        &self,
        profile: &Profile,
        secret: SecretChoice,
    ) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(&profile.name)?;
        self.write(&path, profile, secret)
    }

    /// Renames the file; its bytes are not touched, so this works for a malformed file too.
    pub fn rename(&self, name: &str, new_name: &str) -> Result<PathBuf, ProfileError> {
        let from = self.existing(name)?;
        let to = self.path_of(new_name)?;
        if name == new_name {
            return Ok(to);
        }
        // On a case-insensitive filesystem `Work` → `work` finds "work.toml" already there: it
        // is the same file, and the rename only changes its case.
        let case_only = name.to_lowercase() == new_name.to_lowercase() && same_file(&from, &to);
        if !case_only {
            self.refuse_existing(new_name, &to)?;
        }
        fs::rename(&from, &to).map_err(|e| ProfileError::Io {
            path: from.clone(),
            action: "rename",
            message: format!("to {}: {e}", to.display()),
        })?;
        sync_dir(&self.dir);
        Ok(to)
    }

    /// Copies profile `name` to `new_name` byte for byte (comments and a stored secret
    /// included). The source must parse: copying a broken file would only multiply it.
    pub fn duplicate(&self, name: &str, new_name: &str) -> Result<Profile, ProfileError> {
        let from = self.existing(name)?;
        let to = self.path_of(new_name)?;
        self.refuse_existing(new_name, &to)?;
        let text = read_profile_text(&from)?;
        let mut profile = parse(&from, &text)?;
        profile.name = new_name.to_owned();
        self.write_text(&to, &text)?;
        Ok(profile)
    }

    /// Deletes a profile. A file that does not parse is refused, so a click on a broken entry
    /// cannot lose it; [`ProfileStore::force_delete`] is the explicit way.
    pub fn delete(&self, name: &str) -> Result<(), ProfileError> {
        let path = self.existing(name)?;
        self.refuse_if_malformed(&path)?;
        self.remove(&path)
    }

    /// Deletes the file whatever it holds.
    pub fn force_delete(&self, name: &str) -> Result<(), ProfileError> {
        let path = self.existing(name)?;
        self.remove(&path)
    }

    /// `--provider NAME|PATH`: an existing file when the argument looks like a path (has a `/`
    /// or ends in `.toml`), otherwise the store's profile of that name. The error lists what
    /// was tried.
    pub fn resolve(&self, name_or_path: &str) -> Result<Profile, String> {
        let arg = name_or_path.trim();
        let as_path = Path::new(arg);
        let looks_like_path =
            arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.ends_with(".toml");
        let mut tried = Vec::new();
        if looks_like_path {
            if as_path.exists() {
                return super::load(as_path).map_err(String::from);
            }
            tried.push(format!("the file {arg} (not found)"));
        }
        let stem = arg.strip_suffix(".toml").unwrap_or(arg);
        match self.load(stem) {
            Ok(p) => return Ok(p),
            Err(ProfileError::NotFound { path, .. }) => {
                tried.push(format!(
                    "the profile '{stem}' ({} not found)",
                    path.display()
                ));
            }
            Err(ProfileError::BadName { .. }) if looks_like_path => {}
            Err(e) => return Err(e.to_string()),
        }
        // A bare word may still be a file in the working directory (`--provider myprovider`).
        if !looks_like_path && as_path.is_file() {
            return super::load(as_path).map_err(String::from);
        }
        let known: Vec<String> = self
            .list()
            .into_iter()
            .filter_map(|r| r.ok().map(|(n, _)| n))
            .collect();
        let hint = if known.is_empty() {
            String::new()
        } else {
            format!("; saved profiles: {}", known.join(", "))
        };
        Err(format!(
            "no provider profile '{arg}': tried {}{hint}",
            tried.join(" and ")
        ))
    }

    fn existing(&self, name: &str) -> Result<PathBuf, ProfileError> {
        let path = self.path_of(name)?;
        match fs::symlink_metadata(&path) {
            Ok(_) => Ok(path),
            Err(_) => Err(ProfileError::NotFound {
                name: name.to_owned(),
                path,
            }),
        }
    }

    fn refuse_existing(&self, name: &str, path: &Path) -> Result<(), ProfileError> {
        if fs::symlink_metadata(path).is_ok() {
            return Err(ProfileError::AlreadyExists {
                name: name.to_owned(),
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    fn refuse_if_malformed(&self, path: &Path) -> Result<(), ProfileError> {
        let text = match read_profile_text(path) {
            Ok(t) => t,
            Err(ProfileError::Io { .. }) if fs::symlink_metadata(path).is_err() => return Ok(()),
            // Unreadable or too large: its content is unknown, so treat it as the user's.
            Err(e) => {
                return Err(ProfileError::MalformedTarget {
                    path: path.to_owned(),
                    problem: Box::new(e),
                });
            }
        };
        match parse(path, &text) {
            Ok(_) => Ok(()),
            Err(e) => Err(ProfileError::MalformedTarget {
                path: path.to_owned(),
                problem: Box::new(e),
            }),
        }
    }

    fn write(
        &self,
        path: &Path,
        profile: &Profile,
        secret: SecretChoice,
    ) -> Result<PathBuf, ProfileError> {
        let text = to_toml(profile, secret).map_err(|message| ProfileError::Io {
            path: path.to_owned(),
            action: "write",
            message,
        })?;
        self.write_text(path, &text)?;
        Ok(path.to_owned())
    }

    fn write_text(&self, path: &Path, text: &str) -> Result<(), ProfileError> {
        let temp = self.write_temp(path, text)?;
        if let Err(e) = fs::rename(&temp, path) {
            let _ = fs::remove_file(&temp);
            return Err(ProfileError::Io {
                path: path.to_owned(),
                action: "write",
                message: format!("could not move the new version into place: {e}"),
            });
        }
        sync_dir(&self.dir);
        Ok(())
    }

    /// The first half of an atomic write: `text` in a synced, owner-only temporary file next to
    /// `target`, named with a leading dot so [`ProfileStore::list`] never takes it for a profile
    /// (a crash between this and the rename leaves only such a file behind).
    pub(crate) fn write_temp(&self, target: &Path, text: &str) -> Result<PathBuf, ProfileError> {
        self.create_dir()?;
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!(
            ".{}.{}.{n}.tmp",
            file_stem(target),
            std::process::id()
        ));
        let io = |e: std::io::Error| ProfileError::Io {
            path: target.to_owned(),
            action: "write",
            message: format!("temporary file {}: {e}", temp.display()),
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&temp).map_err(io)?;
        let written = restrict_file(&file)
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = fs::remove_file(&temp);
            return Err(io(e));
        }
        Ok(temp)
    }

    fn create_dir(&self) -> Result<(), ProfileError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder.create(&self.dir).map_err(|e| ProfileError::Io {
            path: self.dir.clone(),
            action: "create the directory for",
            message: e.to_string(),
        })
    }

    fn remove(&self, path: &Path) -> Result<(), ProfileError> {
        fs::remove_file(path).map_err(|e| ProfileError::Io {
            path: path.to_owned(),
            action: "delete",
            message: e.to_string(),
        })?;
        sync_dir(&self.dir);
        Ok(())
    }
}

/// The `mode` given at creation is narrowed by the umask but never widened; setting it again
/// also covers a umask that removed the owner's own bits.
fn restrict_file(file: &fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Makes the rename itself durable. Best effort: some filesystems cannot sync a directory, and
/// the write has already succeeded.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The file's text: the secret only with [`SecretChoice::Store`].
pub fn to_toml(profile: &Profile, secret: SecretChoice) -> Result<String, String> {
    let mut p = profile.clone();
    if secret == SecretChoice::DoNotStore {
        p.client_secret = None;
    }
    toml::to_string_pretty(&p).map_err(|e| format!("cannot write it as TOML: {e}"))
}

/// [`ProfileStore::resolve`] on the default store; a path still works without one.
pub fn resolve(name_or_path: &str) -> Result<Profile, String> {
    match ProfileStore::open_default() {
        Ok(store) => store.resolve(name_or_path),
        Err(_) if Path::new(name_or_path).is_file() => {
            super::load(Path::new(name_or_path)).map_err(String::from)
        }
        Err(e) => Err(format!("no provider profile '{name_or_path}': {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::protocol::secret::Secret;

    /// A fresh directory per test, removed afterwards; the store lives one level down so its
    /// own directory creation is exercised.
    struct TestDir(PathBuf);

    impl TestDir {
        fn new(tag: &str) -> Self {
            static N: AtomicU64 = AtomicU64::new(0);
            let dir = std::env::temp_dir().join(format!(
                "oauthviz-store-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn store(&self) -> ProfileStore {
            ProfileStore::new(self.0.join("profiles"))
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn sample(name: &str) -> Profile {
        let mut extra = toml::Table::new();
        extra.insert("prompt".into(), toml::Value::String("consent".into()));
        extra.insert("max_age".into(), toml::Value::Integer(60));
        Profile {
            name: name.into(),
            preset: Some("google".into()),
            issuer: Some("https://as.example".into()),
            authorization_endpoint: Some("https://as.example/authorize".into()),
            token_endpoint: Some("https://as.example/token".into()),
            resource_url: Some("https://rs.example/api".into()),
            userinfo_endpoint: Some("https://as.example/userinfo".into()),
            jwks_uri: Some("https://as.example/jwks".into()),
            revocation_endpoint: Some("https://as.example/revoke".into()),
            introspection_endpoint: Some("https://as.example/introspect".into()),
            authorization_response_iss_parameter_supported: true,
            client_id: "client-1".into(),
            client_secret: Some(Secret::new("s3cret-value")),
            client_secret_env: Some("MY_SECRET".into()),
            client_auth: Some("post".into()),
            private_key_path: Some("/keys/k.pem".into()),
            private_key_alg: Some("ES256".into()),
            private_key_kid: Some("kid-1".into()),
            redirect_uri: Some("http://127.0.0.1:8765/callback".into()),
            scope: Some("openid email".into()),
            pkce: Some("S256".into()),
            quirks: vec!["google_offline_access".into()],
            notes: "two\nlines".into(),
            extra_auth_params: extra,
        }
    }

    #[test]
    fn save_then_load_round_trips_every_field() {
        let t = TestDir::new("roundtrip");
        let store = t.store();
        let p = sample("mine");
        let path = store.save(&p, SecretChoice::Store).unwrap();
        assert_eq!(path, store.dir().join("mine.toml"));
        assert_eq!(store.load("mine").unwrap(), p);
        // The order of extra parameters is the order written.
        let keys: Vec<_> = store
            .load("mine")
            .unwrap()
            .extra_auth_params
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["prompt", "max_age"]);
    }

    #[test]
    fn secret_is_written_only_when_the_user_asks() {
        let t = TestDir::new("secret");
        let store = t.store();
        let path = store.save(&sample("a"), SecretChoice::DoNotStore).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("s3cret-value") && !text.contains("client_secret ="),
            "{text}"
        );
        assert!(text.contains("client_secret_env = \"MY_SECRET\""), "{text}");
        assert!(store.load("a").unwrap().client_secret.is_none());

        store.save(&sample("a"), SecretChoice::Store).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("client_secret = \"s3cret-value\""), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let t = TestDir::new("modes");
        let store = t.store();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let path = store.save(&sample("a"), SecretChoice::Store).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
        // A file the user made world-readable becomes owner-only when oauthviz rewrites it.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        store.save(&sample("a"), SecretChoice::Store).unwrap();
        assert_eq!(mode(&path), 0o600);
        store.duplicate("a", "b").unwrap();
        assert_eq!(mode(&store.path_of("b").unwrap()), 0o600);
    }

    #[test]
    fn malformed_file_is_reported_listed_and_never_overwritten() {
        let t = TestDir::new("malformed");
        let store = t.store();
        store
            .save(&sample("good"), SecretChoice::DoNotStore)
            .unwrap();
        let path = store.dir().join("broken.toml");
        let original = b"# my notes\nclient_id = \"x\"\nclient_auth = 3\n";
        fs::write(&path, original).unwrap();

        let err = store.load("broken").unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(
            text.contains("line 3") && text.contains("`client_auth`"),
            "{text}"
        );

        let listed = store.list();
        assert_eq!(listed.len(), 2);
        let broken = listed[0].as_ref().unwrap_err();
        assert_eq!(broken.name().as_deref(), Some("broken"));
        assert!(broken.is_malformed());
        assert_eq!(listed[1].as_ref().unwrap().0, "good");

        let mut replacement = sample("broken");
        replacement.notes = "replacement".into();
        let refused = store
            .save(&replacement, SecretChoice::DoNotStore)
            .unwrap_err();
        assert!(
            matches!(refused, ProfileError::MalformedTarget { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("line 3"), "{refused}");
        assert!(store.delete("broken").unwrap_err().is_malformed());
        assert!(
            store
                .duplicate("broken", "copy")
                .unwrap_err()
                .is_malformed()
        );
        assert_eq!(fs::read(&path).unwrap(), original);

        // Explicit choices still work: renaming keeps the bytes, forcing replaces or deletes.
        store.rename("broken", "broken2").unwrap();
        let moved = store.path_of("broken2").unwrap();
        assert_eq!(fs::read(&moved).unwrap(), original);
        store.rename("broken2", "broken").unwrap();
        store
            .force_save(&replacement, SecretChoice::DoNotStore)
            .unwrap();
        assert_eq!(store.load("broken").unwrap().notes, "replacement");
        fs::write(&path, original).unwrap();
        store.force_delete("broken").unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn crash_between_temp_write_and_rename_keeps_the_old_file() {
        let t = TestDir::new("crash");
        let store = t.store();
        let path = store.save(&sample("a"), SecretChoice::DoNotStore).unwrap();
        let before = fs::read(&path).unwrap();

        // The first half of a save that never got to its rename.
        let temp = store.write_temp(&path, "client_id = \"half-writ").unwrap();
        assert!(temp.exists());
        assert_eq!(fs::read(&path).unwrap(), before);

        let listed = store.list();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].as_ref().unwrap().0, "a");
        assert_eq!(store.load("a").unwrap().client_id, "client-1");
        // The next save is not disturbed by the stray file.
        let mut p = sample("a");
        p.client_id = "client-2".into();
        store.save(&p, SecretChoice::DoNotStore).unwrap();
        assert_eq!(store.load("a").unwrap().client_id, "client-2");
        assert_eq!(store.list().len(), 1);
    }

    #[test]
    fn names_must_be_safe_file_stems() {
        for bad in [
            "",
            "a/b",
            "..",
            "../x",
            ".hidden",
            "a\\b",
            " padded",
            "tab\there",
            "x.toml",
            "demo",
            &"x".repeat(65),
        ] {
            let err = validate_name(bad).unwrap_err();
            assert!(matches!(err, ProfileError::BadName { .. }), "{bad}");
            assert!(
                err.to_string().contains("cannot be a profile name"),
                "{err}"
            );
        }
        for good in [
            "google",
            "My Work Entra",
            "okta-dev_2",
            "Überprüfung",
            &"x".repeat(64),
        ] {
            validate_name(good).unwrap();
        }
        let t = TestDir::new("names");
        let store = t.store();
        let err = store
            .save(&sample("../escape"), SecretChoice::Store)
            .unwrap_err();
        assert!(matches!(err, ProfileError::BadName { .. }));
        assert!(!t.0.join("escape.toml").exists());
    }

    #[test]
    fn duplicate_rename_and_delete() {
        let t = TestDir::new("ops");
        let store = t.store();
        store.save(&sample("a"), SecretChoice::Store).unwrap();

        let copy = store.duplicate("a", "b").unwrap();
        assert_eq!(copy.name, "b");
        assert_eq!(
            store.load("b").unwrap(),
            Profile {
                name: "b".into(),
                ..sample("a")
            }
        );
        assert!(matches!(
            store.duplicate("a", "b").unwrap_err(),
            ProfileError::AlreadyExists { .. }
        ));
        assert!(matches!(
            store.duplicate("zzz", "c").unwrap_err(),
            ProfileError::NotFound { .. }
        ));

        assert!(matches!(
            store.rename("a", "b").unwrap_err(),
            ProfileError::AlreadyExists { .. }
        ));
        store.rename("a", "c").unwrap();
        assert!(!store.exists("a"));
        assert_eq!(store.load("c").unwrap().name, "c");
        store.rename("c", "C").unwrap();
        store.rename("C", "c").unwrap();

        assert!(matches!(
            store.create(&sample("c"), SecretChoice::Store).unwrap_err(),
            ProfileError::AlreadyExists { .. }
        ));
        store.create(&sample("d"), SecretChoice::Store).unwrap();

        store.delete("c").unwrap();
        assert!(matches!(
            store.delete("c").unwrap_err(),
            ProfileError::NotFound { .. }
        ));
        let names: Vec<String> = store.list().into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(names, ["b", "d"]);
    }

    #[test]
    fn list_is_sorted_and_skips_what_is_not_a_profile() {
        let t = TestDir::new("list");
        let store = t.store();
        assert!(
            store.list().is_empty(),
            "a missing directory is an empty store"
        );
        for n in ["beta", "Alpha", "gamma"] {
            store.save(&sample(n), SecretChoice::DoNotStore).unwrap();
        }
        fs::write(store.dir().join("readme.txt"), "not a profile").unwrap();
        fs::write(store.dir().join(".hidden.toml"), "x = ").unwrap();
        fs::create_dir(store.dir().join("dir.toml")).unwrap();
        let names: Vec<String> = store.list().into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(names, ["Alpha", "beta", "gamma"]);
    }

    #[test]
    fn resolve_takes_paths_and_names_and_says_what_it_tried() {
        let t = TestDir::new("resolve");
        let store = t.store();
        store
            .save(&sample("work"), SecretChoice::DoNotStore)
            .unwrap();
        let loose = t.0.join("loose.toml");
        fs::write(&loose, "client_id = \"loose\"\n").unwrap();

        assert_eq!(store.resolve("work").unwrap().client_id, "client-1");
        assert_eq!(store.resolve("work.toml").unwrap().name, "work");
        let from_path = store.resolve(&loose.display().to_string()).unwrap();
        assert_eq!(
            (from_path.name.as_str(), from_path.client_id.as_str()),
            ("loose", "loose")
        );

        let err = store.resolve("nope").unwrap_err();
        assert!(err.contains("'nope'") && err.contains("nope.toml"), "{err}");
        assert!(err.contains("saved profiles: work"), "{err}");
        let missing = t.0.join("missing.toml").display().to_string();
        let err = store.resolve(&missing).unwrap_err();
        assert!(err.contains(&missing), "{err}");

        fs::write(&loose, "client_id = 3\n").unwrap();
        let err = store.resolve(&loose.display().to_string()).unwrap_err();
        assert!(
            err.contains("loose.toml") && err.contains("line 1"),
            "{err}"
        );
    }
}
