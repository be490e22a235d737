//! The newsroom's Ed25519 signing key on disk: PKCS#8 (PEM or DER) or a raw 32-byte seed
//! in hex; created with mode 0600.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;

/// The key's file name in the data directory.
pub const DEFAULT_KEY_FILE: &str = "signing.key";

/// Why a signing key cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write the signing key {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("a signing key exists already at {0}; refusing to overwrite it (a lost key cannot sign again under the same public key)")]
    Exists(PathBuf),
    #[error("{path} is not an Ed25519 key (PKCS#8 PEM or DER, or a 32-byte seed as 64 hex digits): {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("the operating system gave no randomness for a new key: {0}")]
    Random(String),
}

/// Where the key is: the given file, else `<data dir>/signing.key`.
pub fn key_path(explicit: Option<&Path>, data_dir: &Path) -> PathBuf {
    explicit.map_or_else(|| data_dir.join(DEFAULT_KEY_FILE), Path::to_owned)
}

/// Parses a key file's bytes.
pub fn parse_key(path: &Path, bytes: &[u8]) -> Result<SigningKey, KeyError> {
    let invalid = |reason: String| KeyError::Invalid {
        path: path.to_owned(),
        reason,
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            return SigningKey::from_pkcs8_pem(text).map_err(|e| invalid(e.to_string()));
        }
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut seed = [0u8; 32];
            hex::decode_to_slice(text, &mut seed).map_err(|e| invalid(e.to_string()))?;
            return Ok(SigningKey::from_bytes(&seed));
        }
    }
    SigningKey::from_pkcs8_der(bytes).map_err(|e| invalid(e.to_string()))
}

/// Reads the key at `path`.
pub fn load(path: &Path) -> Result<SigningKey, KeyError> {
    let bytes = fs::read(path).map_err(|source| KeyError::Read {
        path: path.to_owned(),
        source,
    })?;
    warn_if_readable_by_others(path);
    parse_key(path, &bytes)
}

/// Reads the key at `path`, creating a new one there (mode 0600) if there is none.
pub fn load_or_create(path: &Path) -> Result<SigningKey, KeyError> {
    if path.exists() {
        return load(path);
    }
    let key = generate()?;
    match write_new(path, &key) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "created a new signing key");
            Ok(key)
        }
        // Another process created it meanwhile: use theirs.
        Err(KeyError::Exists(_)) => load(path),
        Err(e) => Err(e),
    }
}

/// A fresh key from the operating system's randomness.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// Writes `key` as PKCS#8 PEM to a new file at `path` (mode 0600 on Unix), creating its
/// directory; fails with [`KeyError::Exists`] if the file exists.
pub fn write_new(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let write_err = |source| KeyError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(write_err)?;
    }
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| write_err(io::Error::other(e.to_string())))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(KeyError::Exists(path.to_owned()))
        }
        other => other.map_err(write_err)?,
    };
    file.write_all(pem.as_bytes()).map_err(write_err)?;
    file.sync_all().map_err(write_err)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path) {
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777),
                "the signing key is readable by others than its owner; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_pkcs8_pem_with_owner_only_permissions_and_loads_back() {
        // given an empty directory
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("signing.key");
        // when a key is loaded there, it is created
        let key = load_or_create(&path).unwrap();
        // then the file is PEM, mode 0600, and loading it again gives the same key
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(load_or_create(&path).unwrap().to_bytes(), key.to_bytes());
    }

    #[test]
    fn writing_a_key_never_overwrites_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.key");
        write_new(&path, &generate().unwrap()).unwrap();
        assert!(matches!(
            write_new(&path, &generate().unwrap()),
            Err(KeyError::Exists(_))
        ));
    }

    #[test]
    fn a_raw_hex_seed_and_pkcs8_der_are_read_as_keys() {
        let path = Path::new("k");
        let seed = [5u8; 32];
        let from_hex = parse_key(path, format!("{}\n", hex::encode(seed)).as_bytes()).unwrap();
        assert_eq!(from_hex.to_bytes(), seed);
        let der = SigningKey::from_bytes(&seed).to_pkcs8_der().unwrap();
        assert_eq!(parse_key(path, der.as_bytes()).unwrap().to_bytes(), seed);
        assert!(matches!(
            parse_key(path, b"not a key"),
            Err(KeyError::Invalid { .. })
        ));
    }
}
