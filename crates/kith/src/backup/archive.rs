//! The backup archive: a `.tar.gz` whose first entry, `manifest.json`,
//! names every other entry with its size and SHA-256, so a restore can
//! check all of it before it touches anything.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// The archive's first entry.
pub const MANIFEST: &str = "manifest.json";
/// What `format` says in every kith backup.
pub const FORMAT: &str = "kith-backup";
/// The archive layout this binary writes and reads.
pub const FORMAT_VERSION: u64 = 1;
/// A manifest larger than this is not one of ours.
const MANIFEST_MAX_BYTES: u64 = 16 << 20;

/// One file in the archive: its size and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Bytes.
    pub bytes: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// What `manifest.json` says.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// `sqlite` or `postgres`: the database the backup was taken from.
    pub backend: kith_store::Backend,
    /// The latest migration applied to the database backed up.
    pub schema_version: i64,
    /// The kith version that wrote it.
    pub kith_version: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
    /// Every other entry, by its path in the archive.
    pub entries: BTreeMap<String, Entry>,
}

impl Manifest {
    /// The manifest as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let entries: serde_json::Map<String, serde_json::Value> = self
            .entries
            .iter()
            .map(|(path, e)| {
                (
                    path.clone(),
                    serde_json::json!({"bytes": e.bytes, "sha256": e.sha256}),
                )
            })
            .collect();
        serde_json::json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kith_version": self.kith_version,
            "schema_version": self.schema_version,
            "backend": backend_name(self.backend),
            "created_at": self.created_at,
            "tables": self.tables,
            "entries": entries,
        })
    }

    /// Reads a manifest, refusing another format, a newer layout or an
    /// entry that could land outside the restore's folder.
    pub fn from_json(bytes: &[u8]) -> anyhow::Result<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .context("this is not a kith backup: its manifest is not JSON")?;
        if value["format"] != FORMAT {
            bail!("this is not a kith backup: its manifest's format is not {FORMAT}");
        }
        let version = value["format_version"].as_u64().unwrap_or(0);
        if version != FORMAT_VERSION {
            bail!(
                "this backup's format_version is {version}; this kith reads format {FORMAT_VERSION} (a newer kith wrote it?)"
            );
        }
        let backend = match value["backend"].as_str() {
            Some("sqlite") => kith_store::Backend::Sqlite,
            Some("postgres") => kith_store::Backend::Postgres,
            _ => bail!("the manifest names no database (backend)"),
        };
        let schema_version = value["schema_version"]
            .as_i64()
            .context("the manifest has no schema_version")?;
        let tables = value["tables"]
            .as_object()
            .context("the manifest has no tables")?
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_u64().context("a table's rows")?)))
            .collect::<anyhow::Result<_>>()?;
        let mut entries = BTreeMap::new();
        for (path, entry) in value["entries"]
            .as_object()
            .context("the manifest has no entries")?
        {
            if !safe_path(path) {
                bail!("the manifest names an entry kith does not write: {path:?}");
            }
            let bytes = entry["bytes"].as_u64().context("an entry's bytes")?;
            let sha256 = entry["sha256"]
                .as_str()
                .context("an entry's sha256")?
                .to_owned();
            entries.insert(path.clone(), Entry { bytes, sha256 });
        }
        Ok(Self {
            backend,
            schema_version,
            kith_version: value["kith_version"].as_str().unwrap_or("").to_owned(),
            created_at: value["created_at"].as_str().unwrap_or("").to_owned(),
            tables,
            entries,
        })
    }

    /// The database entry's name for this backend.
    pub fn database_entry(&self) -> &'static str {
        database_entry(self.backend)
    }
}

/// `database.sqlite` or `database.pgdump`.
pub fn database_entry(backend: kith_store::Backend) -> &'static str {
    match backend {
        kith_store::Backend::Sqlite => "database.sqlite",
        kith_store::Backend::Postgres => "database.pgdump",
    }
}

/// The manifest's word for a backend.
pub fn backend_name(backend: kith_store::Backend) -> &'static str {
    match backend {
        kith_store::Backend::Sqlite => "sqlite",
        kith_store::Backend::Postgres => "postgres",
    }
}

/// Only what kith writes: the database file, and plain names under `mail/`.
fn safe_path(path: &str) -> bool {
    match path.strip_prefix("mail/") {
        Some(name) => {
            !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
        }
        None => path == "database.sqlite" || path == "database.pgdump",
    }
}

/// The size and SHA-256 of a file.
pub fn checksum(path: &Path) -> anyhow::Result<Entry> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut hasher = HashingWriter::new(std::io::sink());
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(hasher.entry())
}

/// A writer that counts and hashes what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// What passed: its size and checksum.
    pub fn entry(self) -> Entry {
        Entry {
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A tar header for a regular file readable by its owner only (the
/// archive holds everything the site knows about its people).
fn header(size: u64, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// Writes the archive: the manifest, then each `(path in archive, file)`,
/// to `out`; `progress` hears the bytes of the files as they go.
pub fn write(
    out: impl Write,
    manifest: &Manifest,
    files: &[(String, PathBuf)],
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let mtime = jiff::Timestamp::now().as_second().max(0).unsigned_abs();
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let json = serde_json::to_vec_pretty(&manifest.to_json())?;
    let mut h = header(json.len() as u64, mtime);
    tar.append_data(&mut h, MANIFEST, json.as_slice())?;
    for (name, path) in files {
        let file =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let size = file.metadata()?.len();
        let mut h = header(size, mtime);
        tar.append_data(&mut h, name, progress.wrap_read(file))?;
    }
    let gz = tar.into_inner()?;
    let mut out = gz.finish()?;
    out.flush()?;
    Ok(())
}

/// Reads an archive into `staging`, checking everything: the manifest
/// first, then each entry against its size and checksum, then that none is
/// missing. Files land as `staging/<path in archive>`.
pub fn read(archive: &Path, staging: &Path) -> anyhow::Result<Manifest> {
    let file =
        std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let damaged = || {
        format!(
            "reading {}: not a kith backup, or damaged or cut short",
            archive.display()
        )
    };
    let mut entries = tar.entries().with_context(damaged)?;
    let mut first = entries
        .next()
        .context("the archive is empty")
        .with_context(damaged)?
        .with_context(damaged)?;
    let first_path = first
        .path()
        .with_context(damaged)?
        .to_string_lossy()
        .into_owned();
    if first_path != MANIFEST {
        bail!(
            "{} is not a kith backup: its first entry is {first_path:?}, not {MANIFEST}",
            archive.display()
        );
    }
    if first.header().size().with_context(damaged)? > MANIFEST_MAX_BYTES {
        bail!(
            "{} is not a kith backup: its manifest is too large",
            archive.display()
        );
    }
    let mut json = Vec::new();
    first.read_to_end(&mut json).with_context(damaged)?;
    let manifest = Manifest::from_json(&json)?;
    let mut seen = BTreeMap::new();
    for entry in entries {
        let mut entry = entry.with_context(damaged)?;
        let path = entry
            .path()
            .with_context(damaged)?
            .to_string_lossy()
            .into_owned();
        let Some(expected) = manifest.entries.get(&path) else {
            bail!(
                "{} holds {path:?}, which its manifest does not list",
                archive.display()
            );
        };
        if seen.contains_key(&path) {
            bail!("{} holds {path:?} twice", archive.display());
        }
        let dest = staging.join(&path);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let out =
            std::fs::File::create(&dest).with_context(|| format!("writing {}", dest.display()))?;
        let mut hashing = HashingWriter::new(std::io::BufWriter::new(out));
        std::io::copy(&mut entry, &mut hashing).with_context(damaged)?;
        hashing.flush()?;
        let got = hashing.entry();
        if &got != expected {
            bail!(
                "{} is damaged: {path} does not match its checksum in the manifest",
                archive.display()
            );
        }
        seen.insert(path, ());
    }
    for path in manifest.entries.keys() {
        if !seen.contains_key(path) {
            bail!(
                "{} is incomplete: {path} is missing (cut short?)",
                archive.display()
            );
        }
    }
    if !manifest.entries.contains_key(manifest.database_entry()) {
        bail!(
            "{} has no {} for its {} database",
            archive.display(),
            manifest.database_entry(),
            backend_name(manifest.backend)
        );
    }
    Ok(manifest)
}
