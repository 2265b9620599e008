//! `kith backup` and `kith restore` with the real binary: round trips on
//! SQLite, on PostgreSQL and from SQLite into PostgreSQL give equal
//! manifests; a backup taken while `kith serve` writes restores into a
//! site that runs; bad archives, non-empty targets and a full disk are
//! refused with a clear error and nothing half-written.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::resources::{self, Upload};
use kith_app::testing::{PASSWORD, now, registered};
use kith_domain::account::Role;
use kith_domain::journal::CheckinInput;
use kith_domain::resource::ResourceInput;
use kith_domain::zone::Zone;
use kith_store::accounts::SessionKind;
use kith_store::testing::TempPostgres;

/// Runs kith with these arguments against `database_url`.
fn kith(dir: &Path, args: &[&str], database_url: &str) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(args)
        .current_dir(dir)
        .env("KITH_DATABASE_URL", database_url)
        .env_remove("KITH_MAIL_DIR")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run kith");
    support::keep_logs("kith-backup", &String::from_utf8_lossy(&output.stderr));
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `kith backup --to FOLDER` into a new folder under `dir` (two backups
/// in one second would have the same name): the archive's path.
fn backup(dir: &Path, database_url: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder = format!("backups-{n}");
    std::fs::create_dir_all(dir.join(&folder)).expect("folder");
    let out = kith(dir, &["backup", "--to", &folder], database_url);
    assert!(out.status.success(), "backup failed: {}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(
        printed
            .trim()
            .starts_with(&format!("{folder}/kith-backup-")),
        "{printed}"
    );
    assert!(printed.trim().ends_with("Z.tar.gz"), "{printed}");
    let path = dir.join(printed.trim());
    assert!(path.is_file(), "{path:?}");
    path
}

/// `kith restore FILE` (and `--force`).
fn restore(dir: &Path, archive: &Path, database_url: &str, force: bool) -> Output {
    let archive = archive.to_str().expect("utf-8");
    let mut args = vec!["restore", archive];
    if force {
        args.push("--force");
    }
    kith(dir, &args, database_url)
}

/// The manifest, read as an operator would with tar(1)'s library.
fn manifest(archive: &Path) -> serde_json::Value {
    let file = std::fs::File::open(archive).expect("open");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut first = tar
        .entries()
        .expect("entries")
        .next()
        .expect("one")
        .expect("entry");
    assert_eq!(first.path().expect("path").to_str(), Some("manifest.json"));
    let mut json = String::new();
    first.read_to_string(&mut json).expect("read");
    serde_json::from_str(&json).expect("json")
}

/// The entries' names, in order.
fn entry_names(archive: &Path) -> Vec<String> {
    let file = std::fs::File::open(archive).expect("open");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    tar.entries()
        .expect("entries")
        .map(|e| {
            e.expect("entry")
                .path()
                .expect("path")
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// A site with the demo's groups, stories and library, an editor's
/// resource with a file, and a member's journal with a check-in.
async fn fill(url: &str) {
    let store = kith_store::open(url, 4).await.expect("open");
    let app = kith_app::testing::app(store.clone());
    kith_app::demo::seed_if_empty(&app, now())
        .await
        .expect("demo");
    accounts::create_staff(
        &app,
        &kith_app::testing::registration("scribe"),
        Role::Editor,
        now(),
    )
    .await
    .expect("editor");
    let editor = kith_app::testing::person(&app, "scribe").await;
    let input = ResourceInput {
        title: "Tapering guide".into(),
        slug: String::new(),
        summary: "Slowly.".into(),
        body: "Go *slowly*.".into(),
        tags: "Tapering".into(),
        status: "published".into(),
    };
    let upload = Upload {
        name: "guide.pdf".into(),
        bytes: b"%PDF-1.7\n\x00\x01\xff binary".to_vec(),
        max_bytes: 1024,
    };
    resources::create(&app, &editor, &input, Some(upload), now())
        .await
        .expect("resource");
    let member = registered(&app, "ada").await;
    let request = LoginRequest {
        login: "ada",
        password: PASSWORD,
        kind: SessionKind::Browser,
        remember: false,
    };
    let LoginOutcome::LoggedIn { token, .. } = accounts::login(&app, &request, now(), |_| Ok(()))
        .await
        .expect("login")
    else {
        panic!("not logged in");
    };
    kith_app::journal::create(&app, &member, PASSWORD, &token.token, now())
        .await
        .expect("journal");
    let note = CheckinInput {
        day: "2026-05-30".to_owned(),
        mood: "3".to_owned(),
        hours_slept: "7.5".to_owned(),
        symptoms: vec![],
        note: "tab\there, a line\nand a \\ backslash".to_owned(),
    };
    kith_app::journal::add_checkin(&app, &member, &token.token, &note, &Zone::utc(), now())
        .await
        .expect("check-in");
}

/// Asserts two manifests describe the same site.
fn same_site(a: &serde_json::Value, b: &serde_json::Value) {
    assert_eq!(a["schema_version"], b["schema_version"]);
    assert_eq!(a["tables"], b["tables"]);
}

/// What every filled site has, so an empty round trip cannot pass.
fn has_the_data(m: &serde_json::Value) {
    let tables = &m["tables"];
    assert!(tables["groups"].as_u64().expect("groups") > 5, "{tables}");
    assert_eq!(tables["resource_files"], 1, "{tables}");
    assert_eq!(tables["journal_checkins"], 1, "{tables}");
    assert!(tables["accounts"].as_u64().expect("accounts") >= 2);
    assert!(m["schema_version"].as_i64().expect("version") >= 29);
    assert!(tables.get("_sqlx_migrations").is_none());
    assert!(tables.get("groups_fts").is_none(), "derived index left out");
}

/// The files in a folder, for "nothing half-written".
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn sqlite_round_trip_with_mail_refuses_a_full_target_without_force() {
    let dir = tempfile::tempdir().expect("dir");
    let site = dir.path().join("site");
    let url = format!("sqlite://{}", site.join("kith.db").display());
    fill(&url).await;
    std::fs::create_dir_all(site.join("outbox")).expect("outbox");
    std::fs::write(
        site.join("outbox/welcome.eml"),
        "Subject: hi\r\n\r\nhello\r\n",
    )
    .expect("mail");

    let first = backup(dir.path(), &url);
    let m1 = manifest(&first);
    has_the_data(&m1);
    assert_eq!(m1["backend"], "sqlite");
    assert_eq!(m1["format"], "kith-backup");
    assert_eq!(m1["format_version"], 1);
    assert_eq!(
        entry_names(&first),
        ["manifest.json", "database.sqlite", "mail/welcome.eml"]
    );
    assert_eq!(m1["entries"]["mail/welcome.eml"]["bytes"], 22);

    let target = dir.path().join("new");
    let target_url = format!("sqlite://{}", target.join("kith.db").display());
    let out = restore(dir.path(), &first, &target_url, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("restored"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(target.join("outbox/welcome.eml")).expect("mail restored"),
        "Subject: hi\r\n\r\nhello\r\n"
    );
    let second = backup(dir.path(), &target_url);
    let m2 = manifest(&second);
    same_site(&m1, &m2);

    // The resource's file came with the database, byte for byte.
    let store = kith_store::open(&target_url, 1).await.expect("open");
    let app = kith_app::testing::app(store);
    let file = resources::file(&app, None, "tapering-guide")
        .await
        .expect("file");
    assert_eq!(file.data, b"%PDF-1.7\n\x00\x01\xff binary");

    // Into a site that has data: refused, listing what it would replace.
    let before = std::fs::read(target.join("kith.db")).expect("db");
    let refused = restore(dir.path(), &first, &target_url, false);
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(
        err.starts_with("error: the target database is not empty"),
        "{err}"
    );
    assert!(err.contains("groups: "), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(target.join("kith.db")).expect("db"), before);
    let forced = restore(dir.path(), &first, &target_url, true);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    same_site(&m1, &manifest(&backup(dir.path(), &target_url)));
}

#[tokio::test]
async fn postgres_round_trip() {
    let Some(source) = TempPostgres::create().await else {
        return;
    };
    let Some(target) = TempPostgres::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    fill(&source.url).await;
    let first = backup(dir.path(), &source.url);
    let m1 = manifest(&first);
    has_the_data(&m1);
    assert_eq!(m1["backend"], "postgres");
    assert_eq!(entry_names(&first), ["manifest.json", "database.pgdump"]);
    let out = restore(dir.path(), &first, &target.url, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    same_site(&m1, &manifest(&backup(dir.path(), &target.url)));

    let refused = restore(dir.path(), &first, &target.url, false);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("not empty"));
    let forced = restore(dir.path(), &first, &target.url, true);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    same_site(&m1, &manifest(&backup(dir.path(), &target.url)));

    // A PostgreSQL backup does not go into SQLite.
    let sqlite_url = format!("sqlite://{}", dir.path().join("down/kith.db").display());
    let down = restore(dir.path(), &first, &sqlite_url, false);
    assert_eq!(down.status.code(), Some(1));
    assert!(text(&down.stderr).contains("cannot be restored into SQLite"));
    assert!(!dir.path().join("down/kith.db").exists());
    source.drop_now().await;
    target.drop_now().await;
}

#[tokio::test]
async fn a_sqlite_site_moves_to_postgres() {
    let Some(target) = TempPostgres::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    fill(&url).await;
    let first = backup(dir.path(), &url);
    let m1 = manifest(&first);
    has_the_data(&m1);
    let out = restore(dir.path(), &first, &target.url, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m2 = manifest(&backup(dir.path(), &target.url));
    assert_eq!(m2["backend"], "postgres");
    same_site(&m1, &m2);

    // The moved site runs: its file and journal open, new rows get fresh
    // ids (the sequences moved past the copied ones), search finds groups.
    let store = kith_store::open(&target.url, 2).await.expect("open");
    let app = kith_app::testing::app(store.clone());
    let file = resources::file(&app, None, "tapering-guide")
        .await
        .expect("file");
    assert_eq!(file.data, b"%PDF-1.7\n\x00\x01\xff binary");
    registered(&app, "newcomer").await;
    assert!(store.count_groups().await.expect("count") > 5);
    target.drop_now().await;
}

/// A valid archive written by hand, with this manifest and entries.
fn handmade(path: &Path, manifest: &serde_json::Value, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let json = serde_json::to_vec(manifest).expect("json");
    let mut all: Vec<(&str, &[u8])> = vec![("manifest.json", json.as_slice())];
    all.extend_from_slice(entries);
    for (name, bytes) in all {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        tar.append_data(&mut h, name, bytes).expect("append");
    }
    tar.into_inner().expect("tar").finish().expect("gz");
}

#[tokio::test]
async fn bad_archives_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    fill(&url).await;
    let good = backup(dir.path(), &url);
    let bytes = std::fs::read(&good).expect("archive");
    let m = manifest(&good);

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec(), ""),
        (
            "random",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "not a kith backup",
        ),
        ("empty", Vec::new(), "not a kith backup"),
    ];
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    cases.push(("corrupted", flipped, ""));

    let foreign = dir.path().join("foreign.tar.gz");
    {
        let file = std::fs::File::create(&foreign).expect("create");
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ));
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        tar.append_data(&mut h, "hello.txt", &b"hello"[..])
            .expect("append");
        tar.into_inner().expect("tar").finish().expect("gz");
    }
    cases.push((
        "foreign",
        std::fs::read(&foreign).expect("read"),
        "its first entry is \"hello.txt\"",
    ));

    let newer = dir.path().join("newer.tar.gz");
    let mut future = m.clone();
    future["format_version"] = 2.into();
    handmade(&newer, &future, &[]);
    cases.push((
        "format_version",
        std::fs::read(&newer).expect("read"),
        "format_version is 2",
    ));

    let schema = dir.path().join("schema.tar.gz");
    let mut ahead = m.clone();
    ahead["schema_version"] = 9999.into();
    let db = b"not really a database";
    ahead["entries"] = serde_json::json!({"database.sqlite": {"bytes": db.len(),
        "sha256": "ab0b4b7b7c9d1c56fd6c6c1e6f0e2a74c8a0d07c9d5a9d1e1d3c71e2d8d5b1a0"}});
    handmade(&schema, &ahead, &[("database.sqlite", db)]);
    cases.push((
        "checksum",
        std::fs::read(&schema).expect("read"),
        "does not match its checksum",
    ));

    let escape = dir.path().join("escape.tar.gz");
    let mut sneaky = m.clone();
    sneaky["entries"]["mail/../../evil"] = serde_json::json!({"bytes": 1, "sha256": "00"});
    handmade(&escape, &sneaky, &[]);
    cases.push((
        "escape",
        std::fs::read(&escape).expect("read"),
        "kith does not write",
    ));

    for (name, archive_bytes, expected) in cases {
        let target = dir.path().join(format!("target-{name}"));
        std::fs::create_dir_all(&target).expect("target dir");
        let archive = dir.path().join(format!("{name}.tar.gz"));
        std::fs::write(&archive, &archive_bytes).expect("write");
        let target_url = format!("sqlite://{}", target.join("kith.db").display());
        let out = restore(dir.path(), &archive, &target_url, false);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("stack backtrace"), "{name}: {err}");
        assert!(
            listing(&target).is_empty(),
            "{name}: {:?}",
            listing(&target)
        );
        assert_eq!(
            std::fs::read(&archive).expect("archive"),
            archive_bytes,
            "{name}"
        );
    }

    // A schema newer than this binary knows, with a valid checksum.
    let schema_ok = dir.path().join("schema-ok.tar.gz");
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(db)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    ahead["entries"]["database.sqlite"]["sha256"] = digest.into();
    handmade(&schema_ok, &ahead, &[("database.sqlite", db)]);
    let target = dir.path().join("target-schema");
    std::fs::create_dir_all(&target).expect("dir");
    let out = restore(
        dir.path(),
        &schema_ok,
        &format!("sqlite://{}", target.join("kith.db").display()),
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("newer than this kith knows"),
        "{}",
        text(&out.stderr)
    );
    assert!(listing(&target).is_empty());
}

/// A tmpfs of 64 KiB, too small for the archive; `None` where mounting is
/// not allowed.
struct TinyDisk(PathBuf);

impl TinyDisk {
    fn mount(at: &Path) -> Option<Self> {
        std::fs::create_dir_all(at).expect("dir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(at.to_path_buf()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_backup_to_a_full_disk_fails_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    fill(&url).await;
    let before = manifest(&backup(dir.path(), &url));
    let full = dir.path().join("full");
    let disk = TinyDisk::mount(&full);
    let mut to = full.clone();
    if disk.is_none() {
        // Not allowed to mount here: a folder nobody may write in stands
        // in for the full disk — or, for root, whom permissions do not
        // stop, a folder under /proc.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        if std::fs::write(full.join("probe"), b"").is_ok() {
            std::fs::remove_file(full.join("probe")).expect("probe");
            to = PathBuf::from("/proc/kith-backup-test/");
        }
        eprintln!(
            "mount not allowed: simulating a full disk with {}",
            to.display()
        );
    }
    let out = kith(
        dir.path(),
        &["backup", "--to", to.to_str().expect("utf-8")],
        &url,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    if disk.is_some() {
        assert!(
            err.contains("full") || err.contains("No space left"),
            "the disk being full is named: {err}"
        );
    }
    assert!(listing(&full).is_empty(), "{:?}", listing(&full));
    assert!(text(&out.stdout).is_empty());
    drop(disk);

    // Room for the database's copy but not for the archive too: the
    // archive's temporary file fills the disk, and goes with the copy.
    let snapshot_bytes = before["entries"]["database.sqlite"]["bytes"]
        .as_u64()
        .expect("bytes");
    let roomier = dir.path().join("roomier");
    let size = format!("size={}k", snapshot_bytes / 1024 + 48);
    std::fs::create_dir_all(&roomier).expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
        .arg(&roomier)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if mounted {
        let disk = TinyDisk(roomier.clone());
        let out = kith(
            dir.path(),
            &["backup", "--to", roomier.to_str().expect("utf-8")],
            &url,
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("writing the archive"),
            "failed while writing: {err}"
        );
        assert!(err.contains("No space left"), "{err}");
        assert!(listing(&roomier).is_empty(), "{:?}", listing(&roomier));
        drop(disk);
    }
    // The source is as it was.
    same_site(&before, &manifest(&backup(dir.path(), &url)));
}

/// Creates an admin in `dir`'s default database (`kith-data/kith.db`).
fn create_admin(dir: &Path) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args([
            "admin",
            "create",
            "--handle",
            "keeper",
            "--email",
            "keeper@example.org",
        ])
        .current_dir(dir)
        .env_remove("KITH_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{PASSWORD}").expect("password");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Logs the admin in over the API: a bearer token.
fn login(addr: &str) -> String {
    let login = support::request(
        addr,
        "POST",
        "/api/v1/sessions",
        &[("content-type", "application/json")],
        &serde_json::json!({"login": "keeper", "password": PASSWORD}).to_string(),
    );
    assert_eq!(login.status, 201, "{}", login.body);
    login.json()["token"].as_str().expect("token").to_owned()
}

/// Lists a new group over the API; its status.
fn new_group(addr: &str, token: &str, n: usize) -> u16 {
    let body = serde_json::json!({
        "name": format!("Evening Circle {n}"),
        "description": "We check in.",
        "facilitation_style": "check_in_round",
        "focus": ["tapering"],
        "format": "video",
        "language": "en",
        "time_zone": "Europe/Berlin",
        "rules": [{"weekdays": [2], "start": "19:00", "duration_minutes": 60}],
    });
    let auth = format!("Bearer {token}");
    support::request(
        addr,
        "POST",
        "/api/v1/groups",
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        &body.to_string(),
    )
    .status
}

#[test]
fn a_backup_taken_while_serving_writes_restores_into_a_site_that_runs() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let dir = tempfile::tempdir().expect("dir");
    create_admin(dir.path());
    let url = format!(
        "sqlite://{}",
        dir.path().join("kith-data/kith.db").display()
    );
    let server = support::start(dir.path(), &[], &[]);
    let token = login(&server.addr);
    assert_eq!(new_group(&server.addr, &token, 0), 201);

    let acked = Arc::new(AtomicUsize::new(1));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop) = (acked.clone(), stop.clone());
        let (addr, token) = (server.addr.clone(), token.clone());
        std::thread::spawn(move || {
            let mut n = 1;
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(new_group(&addr, &token, n), 201);
                acked.fetch_add(1, Ordering::SeqCst);
                n += 1;
            }
        })
    };
    while acked.load(Ordering::SeqCst) < 20 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let before = acked.load(Ordering::SeqCst);
    let archive = backup(dir.path(), &url);
    let after = acked.load(Ordering::SeqCst);
    while acked.load(Ordering::SeqCst) < after + 5 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    drop(server);

    let m = manifest(&archive);
    let groups = m["tables"]["groups"].as_u64().expect("groups") as usize;
    // Every group acknowledged before the backup began is in it, and none
    // that was not yet written when it ended (one may be in flight).
    assert!(
        before <= groups && groups <= after + 1,
        "{before} <= {groups} <= {after}"
    );
    // Each group's meetings came with it: one weekly rule each.
    assert_eq!(m["tables"]["schedule_rules"].as_u64(), Some(groups as u64));

    let restored = tempfile::tempdir().expect("dir");
    let restored_url = format!(
        "sqlite://{}",
        restored.path().join("kith-data/kith.db").display()
    );
    let out = restore(restored.path(), &archive, &restored_url, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    same_site(&m, &manifest(&backup(restored.path(), &restored_url)));

    // The restored site runs: it logs its admin in and takes new groups.
    let server = support::start(restored.path(), &[], &[]);
    let token = login(&server.addr);
    assert_eq!(new_group(&server.addr, &token, 100_000), 201);
    let (status, _) = support::get(&server.addr, "/healthz");
    assert_eq!(status, 200);
}
