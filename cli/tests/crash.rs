//! `agenda serve` killed with SIGKILL in the middle of concurrent writes (issue 29): on
//! restart, every acknowledged change is there and the database opens. Writes are
//! committed in groups (`service/src/store.rs`), so this is the check that a write is
//! acknowledged only after the commit of its group.

use agenda_service::pb::{
    self, meetings_client::MeetingsClient, session_requests_client::SessionRequestsClient,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Request;

const TOKEN: &str = "crash-test-secretariat";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn authed<T>(message: T) -> Request<T> {
    let mut r = Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    r
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(db: &Path, config: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_agenda"))
        .args(["serve", "--db"])
        .arg(db)
        .arg("--config")
        .arg(config)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("agenda serve starts")
}

async fn connect(port: u16) -> Channel {
    let began = Instant::now();
    loop {
        match Channel::from_shared(format!("http://127.0.0.1:{port}"))
            .unwrap()
            .connect()
            .await
        {
            Ok(c) => return c,
            Err(_) if began.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("the server did not come up: {e}"),
        }
    }
}

/// Each client edits its own groups' requests until stopped, returning the last
/// acknowledged version of each.
async fn edit_until(
    channel: Channel,
    meeting: String,
    mine: Vec<pb::SessionRequest>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> BTreeMap<String, u64> {
    let mut client = SessionRequestsClient::new(channel);
    let mut acked = BTreeMap::new();
    let mut i = 0u64;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let k = (i as usize) % mine.len();
        let mut r = mine[k].clone();
        r.special_requests = format!("edit {i}");
        let group = r.group.clone();
        let call = match acked.get(&group) {
            None => {
                client
                    .submit(authed(pb::SubmitRequest {
                        meeting: meeting.clone(),
                        request: Some(r),
                    }))
                    .await
            }
            Some(&v) => {
                client
                    .edit(authed(pb::EditRequest {
                        meeting: meeting.clone(),
                        request: Some(r),
                        expected_version: v,
                        update_mask: None,
                    }))
                    .await
            }
        };
        match call {
            Ok(stored) => {
                acked.insert(group, stored.into_inner().version);
            }
            // The server is gone: what was acknowledged so far is the record.
            Err(_) => break,
        }
        i += 1;
    }
    acked
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("agenda-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db, config) = (dir.join("crash.db"), dir.join("config.toml"));
    let _ = std::fs::remove_file(&db);
    std::fs::write(
        &config,
        format!("[[token]]\ntoken = \"{TOKEN}\"\nname = \"crash test\"\nrole = \"secretariat\"\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let text = std::fs::read_to_string(root().join("tests/data/tiny.json")).unwrap();
    let instance: agenda_solver::Instance = serde_json::from_str(&text).unwrap();
    let mut base = instance.clone();
    base.requests.clear();
    base.fixed.clear();
    let requests: Vec<pb::SessionRequest> = instance
        .requests
        .iter()
        .map(agenda_service::convert::request_from_doc)
        .collect();
    let meeting = base.meeting.number.clone();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let port = free_port();
    let mut server = serve(&db, &config, port);
    let acked: BTreeMap<String, u64> = runtime.block_on(async {
        let channel = connect(port).await;
        MeetingsClient::new(channel.clone())
            .import_instance(authed(pb::ImportInstanceRequest {
                instance_json: serde_json::to_string(&base).unwrap(),
                replace: true,
            }))
            .await
            .unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients = 4;
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let mine: Vec<pb::SessionRequest> =
                    requests.iter().skip(c).step_by(clients).cloned().collect();
                tokio::spawn(edit_until(
                    channel.clone(),
                    meeting.clone(),
                    mine,
                    stop.clone(),
                ))
            })
            .collect();
        // Let writes pile up, then kill the server in the middle of them.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.kill().unwrap();
        server.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut acked = BTreeMap::new();
        for t in tasks {
            acked.extend(t.await.unwrap());
        }
        acked
    });
    let total: u64 = acked.values().sum();
    eprintln!("{total} acknowledged versions before the kill");
    assert!(
        total >= 20,
        "only {total} acknowledged versions before the kill"
    );

    let port = free_port();
    let mut again = serve(&db, &config, port);
    let stored: BTreeMap<String, u64> = runtime.block_on(async {
        let channel = connect(port).await;
        let list = SessionRequestsClient::new(channel)
            .list(authed(pb::ListRequestsRequest {
                meeting: meeting.clone(),
                ..Default::default()
            }))
            .await
            .expect("the restarted server reads the database")
            .into_inner();
        list.requests
            .into_iter()
            .map(|r| (r.request.unwrap().group, r.version))
            .collect()
    });
    again.kill().unwrap();
    again.wait().unwrap();
    for (group, version) in &acked {
        let kept = stored.get(group).copied().unwrap_or(0);
        assert!(
            kept >= *version,
            "{group}: version {version} was acknowledged, {kept} survived"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
