//! Load benchmark of `agenda serve` on loopback (a bench binary printing a table).
//!
//! 1. Durable submissions: the real server with a SQLite file (WAL, synchronous=FULL),
//!    in its own process, and C concurrent tonic clients in this one, each submitting
//!    then repeatedly editing the requests of its own groups. Every call is acknowledged
//!    only after its commit. Reports calls per second and p50/p99 latency.
//! 2. Solve overhead: the IETF 106 instance (or the bundled IETF-sized synthetic when
//!    ../shared/datasets is absent) solved as `agenda solve` does (load, validate, solve,
//!    write the agenda) and through the service (import, streamed Solve to the result),
//!    with the same options.
//!
//! `cargo bench --bench service_load`; `AGENDA_BENCH_LIMIT` (seconds, default 60) sets
//! the solves' time limit, `AGENDA_BENCH_CALLS` (default 4000) the number of calls,
//! `AGENDA_BENCH_WATCHERS` (default 0) the notification streams open during the load.

use agenda_service::pb::{
    self, meetings_client::MeetingsClient, scheduling_client::SchedulingClient,
    session_requests_client::SessionRequestsClient,
};
use agenda_service::{serve, AccessConfig, AgendaService, ServeOptions, Store};
use agenda_solver::solve::{solve, SolveOptions};
use agenda_solver::{load_instance, Problem};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Request;

const TOKEN: &str = "bench-secretariat-token";

fn authed<T>(message: T) -> Request<T> {
    let mut r = Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    r
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn dataset() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/datasets/ietf106.json");
    if shared.exists() {
        shared
    } else {
        eprintln!(
            "NOTICE: {} is absent; using datasets/ietf-125x8.json",
            shared.display()
        );
        root.join("datasets/ietf-125x8.json")
    }
}

/// The server process: this bench binary run again with `AGENDA_BENCH_SERVER_DB` set,
/// so that clients and server do not share a process (or a tokio runtime). It prints its
/// address and serves until its standard input closes.
struct Server {
    child: std::process::Child,
    channel: Channel,
}

const SERVER_DB: &str = "AGENDA_BENCH_SERVER_DB";

impl Server {
    async fn start(db: &std::path::Path) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .env(SERVER_DB, db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the server process starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the server said {line:?}"))
            .to_string();
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        Server { child, channel }
    }

    /// Closes the server's standard input (its shutdown signal) and waits for it.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The server side: serve `db` on a loopback port until standard input closes.
fn serve_until_stdin_closes(db: &std::path::Path) {
    let access = AccessConfig::default().with(
        TOKEN,
        agenda_service::Caller {
            name: "bench".into(),
            role: agenda_service::Role::Secretariat,
        },
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = AgendaService::new(Store::open(db).unwrap(), access).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("listening {}", listener.local_addr().unwrap());
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            let _ = tx.send(());
        });
        let closed = async {
            let _ = rx.await;
        };
        serve(listener, service, ServeOptions::default(), closed)
            .await
            .unwrap();
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn load(channel: Channel, clients: usize, calls: usize) -> (f64, Duration, Duration) {
    let instance = load_instance(dataset()).unwrap();
    let mut base = instance.clone();
    base.meeting.number = format!("load-{clients}");
    base.requests.clear();
    base.fixed.clear();
    MeetingsClient::new(channel.clone())
        .import_instance(authed(pb::ImportInstanceRequest {
            instance_json: serde_json::to_string(&base).unwrap(),
            replace: true,
        }))
        .await
        .unwrap();
    let requests: Vec<pb::SessionRequest> = instance
        .requests
        .iter()
        .map(agenda_service::convert::request_from_doc)
        .collect();
    let per_client = calls / clients;
    let began = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mut client = SessionRequestsClient::new(channel.clone());
        // Client c owns every clients-th request. Requests that conflict with groups not
        // yet submitted are still valid: conflicts name groups, not requests.
        let mine: Vec<pb::SessionRequest> =
            requests.iter().skip(c).step_by(clients).cloned().collect();
        let meeting = base.meeting.number.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            let mut versions = vec![0u64; mine.len()];
            for i in 0..per_client {
                let k = i % mine.len();
                let mut r = mine[k].clone();
                r.special_requests = format!("edit {i}");
                let t = Instant::now();
                let stored = if versions[k] == 0 {
                    client
                        .submit(authed(pb::SubmitRequest {
                            meeting: meeting.clone(),
                            request: Some(r),
                        }))
                        .await
                } else {
                    client
                        .edit(authed(pb::EditRequest {
                            meeting: meeting.clone(),
                            request: Some(r),
                            expected_version: versions[k],
                            update_mask: None,
                        }))
                        .await
                }
                .expect("accepted")
                .into_inner();
                latencies.push(t.elapsed());
                versions[k] = stored.version;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let seconds = began.elapsed().as_secs_f64();
    all.sort();
    (
        all.len() as f64 / seconds,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    )
}

/// `calls` edits of the dataset's requests straight through `intake` on one thread:
/// (median time per edit, edits per second).
fn in_process_edits(db: &std::path::Path, calls: usize) -> (Duration, f64) {
    use agenda_service::intake;
    let store = Store::open(db).unwrap();
    let caller = agenda_service::Caller {
        name: "bench".into(),
        role: agenda_service::Role::Secretariat,
    };
    let instance = load_instance(dataset()).unwrap();
    let mut base = instance.clone();
    base.requests.clear();
    base.fixed.clear();
    intake::create_meeting(&store, &caller, base.clone(), "t").unwrap();
    let number = base.meeting.number.clone();
    for r in &instance.requests {
        intake::submit(&store, &caller, &number, r.clone(), "t").unwrap();
    }
    let mut versions = vec![1u64; instance.requests.len()];
    let mut times = Vec::with_capacity(calls);
    let began = Instant::now();
    for i in 0..calls {
        let k = i % instance.requests.len();
        let mut r = instance.requests[k].clone();
        r.special_requests = Some(format!("edit {i}"));
        let t = Instant::now();
        let accepted = intake::edit(&store, &caller, &number, r, &[], versions[k], "t").unwrap();
        times.push(t.elapsed());
        versions[k] = accepted.stored.version;
    }
    let rate = calls as f64 / began.elapsed().as_secs_f64();
    times.sort();
    (percentile(&times, 0.5), rate)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing else useful.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if let Some(db) = std::env::var_os(SERVER_DB) {
        serve_until_stdin_closes(std::path::Path::new(&db));
        return;
    }
    let limit = env_u64("AGENDA_BENCH_LIMIT", 60);
    let calls = env_u64("AGENDA_BENCH_CALLS", 4000) as usize;
    let dir = std::env::temp_dir().join(format!("agenda-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("bench.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "machine: {} cores; database {} (WAL, synchronous=FULL)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        db.display()
    );
    println!();
    println!("| clients | calls | durable calls/s | p50 latency | p99 latency |");
    println!("|--------:|------:|----------------:|------------:|------------:|");
    let server = runtime.block_on(Server::start(&db));
    let channel = server.channel.clone();
    // `AGENDA_BENCH_WATCHERS=N`: N notification streams open during the load, each
    // draining what it is sent.
    let watchers = env_u64("AGENDA_BENCH_WATCHERS", 0);
    for _ in 0..watchers {
        let mut client =
            agenda_service::pb::notifications_client::NotificationsClient::new(channel.clone());
        runtime.spawn(async move {
            let mut stream = client
                .watch(authed(pb::ListNotificationsRequest::default()))
                .await
                .expect("a watch stream")
                .into_inner();
            while let Ok(Some(_)) = stream.message().await {}
        });
    }
    if watchers > 0 {
        println!("({watchers} notification streams open)");
    }
    for clients in [1, 4, 16] {
        let (rate, p50, p99) = runtime.block_on(load(channel.clone(), clients, calls));
        println!(
            "| {clients} | {calls} | {rate:.0} | {:.2} ms | {:.2} ms |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }

    // The same edits in process, without gRPC: what the server's own work costs.
    let (per_edit, rate) = in_process_edits(&dir.join("direct.db"), calls);
    println!();
    println!(
        "in process (intake::edit on one thread, no gRPC): {:.0} edits/s, median {:.3} ms per edit",
        rate,
        per_edit.as_secs_f64() * 1e3
    );
    println!();

    // The solve, as the CLI runs it and through the service.
    let path = dataset();
    let options = SolveOptions {
        time_limit: Duration::from_secs(limit),
        threads: 2,
        ..SolveOptions::default()
    };
    let t = Instant::now();
    let instance = load_instance(&path).unwrap();
    let problem = Problem::from_instance(&instance).unwrap();
    let report = solve(&problem, &options, &mut |_| {});
    let agenda_json = serde_json::to_string_pretty(&report.to_agenda(&problem)).unwrap();
    let cli = t.elapsed();
    assert!(!agenda_json.is_empty());

    let (service_time, service_cost) = runtime.block_on(async {
        let t = Instant::now();
        let text = std::fs::read_to_string(&path).unwrap();
        let number = instance.meeting.number.clone();
        MeetingsClient::new(channel.clone())
            .import_instance(authed(pb::ImportInstanceRequest {
                instance_json: text,
                replace: true,
            }))
            .await
            .unwrap();
        let mut stream = SchedulingClient::new(channel.clone())
            .solve(authed(pb::SolveRequest {
                meeting: number,
                time_limit_seconds: limit as f64,
                threads: 2,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let mut cost = None;
        while let Some(event) = stream.message().await.unwrap() {
            if let Some(pb::solve_event::Event::Result(r)) = event.event {
                cost = Some(r.cost);
            }
        }
        (t.elapsed(), cost.expect("a result"))
    });
    println!();
    println!(
        "solve of {} (time limit {limit} s, 2 threads):",
        path.display()
    );
    println!("| path | wall time | cost |");
    println!("|------|----------:|-----:|");
    println!(
        "| as `agenda solve` (library call) | {:.2} s | {} |",
        cli.as_secs_f64(),
        report.evaluation.cost
    );
    println!(
        "| through the service (import + streamed Solve) | {:.2} s | {} |",
        service_time.as_secs_f64(),
        service_cost
    );
    println!(
        "service / CLI: {:.3} ({:+.1} %)",
        service_time.as_secs_f64() / cli.as_secs_f64(),
        (service_time.as_secs_f64() / cli.as_secs_f64() - 1.0) * 100.0
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
