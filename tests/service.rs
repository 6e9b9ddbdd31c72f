//! End-to-end tests of `agenda serve`: the real server on a loopback port, driven by real
//! tonic clients (the generated `agenda.v1` clients, health and reflection).

use agenda_service::pb::{
    self, meetings_client::MeetingsClient, notifications_client::NotificationsClient,
    scheduling_client::SchedulingClient, session_requests_client::SessionRequestsClient,
};
use agenda_service::{serve, AccessConfig, AgendaService, ServeOptions, Store};
use agenda_solver::{evaluate_agenda, load_instance, parse_agenda, validate, Severity};
use ietf_agenda::data;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

const CONFIG: &str = r#"
[[token]]
token = "secretariat-token"
name = "IETF Secretariat"
role = "secretariat"

[[token]]
token = "wg1-chairs-token"
name = "wg1 chairs"
role = "chair"
groups = ["wg1"]

[[token]]
token = "wg5-chairs-token"
name = "wg5 chairs"
role = "chair"
groups = ["wg5"]

[[token]]
token = "rtg-ads-token"
name = "Routing ADs"
role = "ad"
areas = ["rtg"]

[[token]]
token = "sec-ads-token"
name = "Security ADs"
role = "ad"
areas = ["sec"]
"#;

const SECRETARIAT: &str = "secretariat-token";
const WG1: &str = "wg1-chairs-token";
const WG5: &str = "wg5-chairs-token";
const RTG_AD: &str = "rtg-ads-token";
const SEC_AD: &str = "sec-ads-token";

/// A running server; dropping it (or `stop`) shuts it down.
struct Server {
    channel: Channel,
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(db: Option<&Path>) -> Server {
        Server::start_with(db, ServeOptions::default(), None).await
    }

    /// With `options`; `tls` is the client's (CA certificate PEM) for a TLS server.
    async fn start_with(db: Option<&Path>, options: ServeOptions, tls: Option<Vec<u8>>) -> Server {
        let store = match db {
            Some(path) => Store::open(path).expect("database opens"),
            None => Store::in_memory().unwrap(),
        };
        let service = AgendaService::new(store, AccessConfig::parse(CONFIG).unwrap()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            serve(listener, service, options, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        let channel = match tls {
            None => Channel::from_shared(format!("http://{addr}")).unwrap(),
            Some(ca) => Channel::from_shared(format!("https://localhost:{}", addr.port()))
                .unwrap()
                .tls_config(
                    tonic::transport::ClientTlsConfig::new()
                        .ca_certificate(tonic::transport::Certificate::from_pem(ca))
                        .domain_name("localhost"),
                )
                .unwrap(),
        }
        .connect()
        .await
        .expect("connects");
        Server {
            channel,
            addr,
            stop: Some(stop),
            done,
        }
    }

    /// Graceful shutdown; waits until the server has stopped.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        (&mut self.done).await.unwrap();
    }

    fn meetings(&self) -> MeetingsClient<Channel> {
        MeetingsClient::new(self.channel.clone())
    }
    fn requests(&self) -> SessionRequestsClient<Channel> {
        SessionRequestsClient::new(self.channel.clone())
    }
    fn notifications(&self) -> NotificationsClient<Channel> {
        NotificationsClient::new(self.channel.clone())
    }
    fn scheduling(&self) -> SchedulingClient<Channel> {
        SchedulingClient::new(self.channel.clone())
    }
    fn interims(&self) -> pb::interims_client::InterimsClient<Channel> {
        pb::interims_client::InterimsClient::new(self.channel.clone())
    }

    /// Imports `tests/data/<name>` as the secretariat.
    async fn import(&self, name: &str, replace: bool) -> pb::ImportInstanceResponse {
        let text = std::fs::read_to_string(data(name)).unwrap();
        self.meetings()
            .import_instance(as_(
                SECRETARIAT,
                pb::ImportInstanceRequest {
                    instance_json: text,
                    replace,
                },
            ))
            .await
            .expect("import succeeds")
            .into_inner()
    }

    async fn get(&self, meeting: &str, group: &str) -> pb::StoredRequest {
        self.requests()
            .get(as_(
                SECRETARIAT,
                pb::GetRequestRequest {
                    meeting: meeting.into(),
                    group: group.into(),
                },
            ))
            .await
            .expect("request exists")
            .into_inner()
    }
}

/// `message` with `authorization: Bearer <token>`.
fn as_<T>(token: &str, message: T) -> Request<T> {
    let mut r = Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

fn code<T: std::fmt::Debug>(r: Result<tonic::Response<T>, Status>) -> Code {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(s) => s.code(),
    }
}

/// The tiny fixture's request of `group`, as the proto message.
fn tiny_request(group: &str) -> pb::SessionRequest {
    let instance = load_instance(data("tiny.json")).unwrap();
    let r = instance.requests.iter().find(|r| r.group == group).unwrap();
    agenda_service::convert::request_from_doc(r)
}

fn change(meeting: &str, group: &str, version: u64) -> pb::ChangeStatusRequest {
    pb::ChangeStatusRequest {
        meeting: meeting.into(),
        group: group.into(),
        expected_version: version,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_request_lifecycle() {
    let server = Server::start(None).await;
    let imported = server.import("tiny.json", false).await;
    assert_eq!(imported.requests, 10);
    assert_eq!(imported.meeting.as_ref().unwrap().number, "T1");
    let mut requests = server.requests();

    // Edit by the group's chairs: version 1 -> 2, history, and the tool's message.
    let current = server.get("T1", "wg5").await;
    assert_eq!(
        (current.version, current.status),
        (1, pb::RequestStatus::Active as i32)
    );
    let mut edited = current.request.clone().unwrap();
    edited.attendees = "55".into();
    edited.special_requests = "Not on Friday, please".into();
    let stored = requests
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(edited.clone()),
                expected_version: 1,
                update_mask: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.updated_by, "wg5 chairs");
    assert_eq!(stored.request.as_ref().unwrap().attendees, "55");
    assert_eq!(server.get("T1", "wg5").await.request, Some(edited));

    let history = requests
        .history(as_(
            WG5,
            pb::HistoryRequest {
                meeting: "T1".into(),
                group: "wg5".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .entries;
    let actions: Vec<(u64, &str, &str)> = history
        .iter()
        .map(|h| (h.version, h.action.as_str(), h.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [(1, "import", "IETF Secretariat"), (2, "edit", "wg5 chairs")]
    );

    // Cancel; then "no session" for a group that had no request at all.
    let cancelled = requests
        .cancel(as_(WG5, change("T1", "wg5", 2)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (cancelled.version, cancelled.status),
        (3, pb::RequestStatus::Cancelled as i32)
    );
    let listed = requests
        .list(as_(
            WG5,
            pb::ListRequestsRequest {
                meeting: "T1".into(),
                include_inactive: false,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .requests;
    assert_eq!(listed.len(), 9, "a cancelled request is not scheduled");
    let none = requests
        .no_session(as_(SECRETARIAT, change("T1", "ghost", 0)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (none.version, none.status),
        (1, pb::RequestStatus::NoSession as i32)
    );

    // A submit for a group with an active request is refused; after the cancel it works.
    assert_eq!(
        code(
            requests
                .submit(as_(
                    WG1,
                    pb::SubmitRequest {
                        meeting: "T1".into(),
                        request: Some(tiny_request("wg1")),
                    }
                ))
                .await
        ),
        Code::AlreadyExists
    );
    let resubmitted = requests
        .submit(as_(
            WG5,
            pb::SubmitRequest {
                meeting: "T1".into(),
                request: Some(tiny_request("wg5")),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (resubmitted.version, resubmitted.status),
        (4, pb::RequestStatus::Active as i32)
    );

    // The outbox holds one message per change, in the tool's words.
    let notes = server
        .notifications()
        .list(as_(
            SECRETARIAT,
            pb::ListNotificationsRequest {
                meeting: "T1".into(),
                after_id: 0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    // An id past i64::MAX is after every notification, not before them.
    let none = server
        .notifications()
        .list(as_(
            SECRETARIAT,
            pb::ListNotificationsRequest {
                meeting: "T1".into(),
                after_id: 1 << 63,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    assert!(none.is_empty(), "{} notifications", none.len());
    let kinds: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| (n.group.as_str(), n.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("wg5", "update"),
            ("wg5", "cancel"),
            ("ghost", "no-session"),
            ("wg5", "new")
        ]
    );
    assert_eq!(
        notes[0].subject,
        "wg5 - Update to a Meeting Session Request for IETF T1"
    );
    assert_eq!(notes[0].to, ["session-request@ietf.org"]);
    assert_eq!(
        notes[0].cc,
        ["wg5@ietf.org", "wg5-chairs@ietf.org", "ops-ads@ietf.org"]
    );
    assert!(notes[0]
        .body
        .contains("has just been submitted by wg5 chairs"));
    assert!(notes[0]
        .body
        .contains("Special Requests: Not on Friday, please"));
    // A chair sees only the messages of their groups.
    let wg1_notes = server
        .notifications()
        .list(as_(WG1, pb::ListNotificationsRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    assert!(wg1_notes.is_empty());

    // Copy from the previous meeting: a second meeting, T2, with no requests yet.
    let mut t2 = load_instance(data("tiny.json")).unwrap();
    t2.meeting.number = "T2".into();
    t2.requests.clear();
    t2.fixed.clear();
    let mut meetings = server.meetings();
    meetings
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: serde_json::to_string(&t2).unwrap(),
                replace: false,
            },
        ))
        .await
        .unwrap();
    let copied = requests
        .copy_previous(as_(
            WG1,
            pb::CopyPreviousRequest {
                meeting: "T2".into(),
                group: "wg1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut expected = tiny_request("wg1");
    expected.third_session.as_mut().unwrap().approved = false;
    assert_eq!(copied.request, Some(expected));
    assert_eq!(copied.version, 1);
    assert!(copied
        .warnings
        .iter()
        .any(|w| w.field.starts_with("request.third_session")));

    // The third session goes to the ADs; the routing AD approves it.
    let last = server
        .notifications()
        .list(as_(
            SECRETARIAT,
            pb::ListNotificationsRequest {
                meeting: "T2".into(),
                after_id: 0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].kind, "approval");
    assert_eq!(last[0].to, ["rtg-ads@ietf.org"]);
    assert_eq!(
        last[0].subject,
        "wg1 - Request for meeting session approval for IETF T2"
    );
    assert_eq!(
        code(
            requests
                .approve_third_session(as_(WG1, change("T2", "wg1", 1)))
                .await
        ),
        Code::PermissionDenied,
        "chairs cannot approve their own third session"
    );
    let approved = requests
        .approve_third_session(as_(RTG_AD, change("T2", "wg1", 1)))
        .await
        .unwrap()
        .into_inner();
    assert!(approved.request.unwrap().third_session.unwrap().approved);
    assert_eq!(approved.version, 2);

    // A chair's later edit of something else keeps the approval; changing the third
    // session's length needs a new one.
    let mut edit = server.get("T2", "wg1").await.request.unwrap();
    edit.attendees = "90".into();
    let kept = requests
        .edit(as_(
            WG1,
            pb::EditRequest {
                meeting: "T2".into(),
                request: Some(edit.clone()),
                expected_version: 2,
                update_mask: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(kept.request.unwrap().third_session.unwrap().approved);
    edit.third_session = Some(pb::ThirdSession {
        minutes: 90,
        approved: true,
    });
    let reset = requests
        .edit(as_(
            WG1,
            pb::EditRequest {
                meeting: "T2".into(),
                request: Some(edit),
                expected_version: 3,
                update_mask: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!reset.request.unwrap().third_session.unwrap().approved);

    // The secretariat locks the tool: chairs are told to contact it; it still can edit.
    let locked = meetings
        .set_lock(as_(
            SECRETARIAT,
            pb::SetLockRequest {
                meeting: "T2".into(),
                locked: true,
                message: "agenda being drafted".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(locked.locked);
    let refused = requests
        .cancel(as_(WG1, change("T2", "wg1", 4)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused.message().contains("contact the Secretariat"),
        "{}",
        refused.message()
    );
    assert_eq!(server.get("T2", "wg1").await.version, 4, "nothing stored");
    // The lock holds for an AD's approval too.
    let refused = requests
        .approve_third_session(as_(RTG_AD, change("T2", "wg1", 4)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    assert_eq!(server.get("T2", "wg1").await.version, 4, "nothing stored");
    requests
        .cancel(as_(SECRETARIAT, change("T2", "wg1", 4)))
        .await
        .expect("the secretariat edits a locked tool");
    meetings
        .set_lock(as_(
            SECRETARIAT,
            pb::SetLockRequest {
                meeting: "T2".into(),
                locked: false,
                message: String::new(),
            },
        ))
        .await
        .unwrap();
    server.stop().await;
}

/// The errors the CLI's validation gives for a broken fixture, as (field, message).
fn cli_errors(name: &str) -> Vec<(String, String)> {
    let instance = load_instance(data(&format!("broken/{name}.json"))).unwrap();
    validate(&instance)
        .issues
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.field, i.message))
        .collect()
}

/// The field violations of an INVALID_ARGUMENT status, as (field, message) with the
/// fix (after " — ") left out.
fn violations(status: &Status) -> Vec<(String, String)> {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let bad = details
        .bad_request()
        .expect("a google.rpc.BadRequest detail");
    bad.field_violations
        .iter()
        .map(|v| {
            let message = v.description.split(" — ").next().unwrap().to_string();
            (v.field.clone(), message)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_validation_message_comes_back_with_its_field() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let tiny = load_instance(data("tiny.json")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(data("broken"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n != "syntax-error")
        .collect();
    names.sort();
    let mut through_requests = 0;
    for name in &names {
        let broken = load_instance(data(&format!("broken/{name}.json"))).unwrap();
        let expected = cli_errors(name);
        assert!(!expected.is_empty(), "{name}");
        let changed: Vec<usize> = (0..broken.requests.len())
            .filter(|&i| tiny.requests.get(i) != Some(&broken.requests[i]))
            .collect();
        let only_requests = broken.requests.len() == tiny.requests.len()
            && changed.len() == 1
            && serde_json::to_value(agenda_solver::Instance {
                requests: vec![],
                ..broken.clone()
            })
            .unwrap()
                == serde_json::to_value(agenda_solver::Instance {
                    requests: vec![],
                    ..tiny.clone()
                })
                .unwrap();
        if only_requests {
            // A broken request: the chairs' edit is refused with the CLI's messages, with
            // fields relative to the request sent, and nothing is stored.
            let i = changed[0];
            let prefix = format!("requests[{i}]");
            let group = broken.requests[i].group.clone();
            let before = server.get("T1", &tiny.requests[i].group).await;
            let status = server
                .requests()
                .edit(as_(
                    SECRETARIAT,
                    pb::EditRequest {
                        meeting: "T1".into(),
                        request: Some(agenda_service::convert::request_from_doc(
                            &broken.requests[i],
                        )),
                        expected_version: before.version,
                        update_mask: None,
                    },
                ))
                .await
                .unwrap_err();
            let want: Vec<(String, String)> = expected
                .iter()
                .map(|(f, m)| {
                    let rest = f
                        .strip_prefix(&prefix)
                        .expect("error on the changed request");
                    let mut field = format!("request{rest}");
                    if field.starts_with("request.sessions[") && field.ends_with("].minutes") {
                        field.truncate(field.len() - ".minutes".len());
                    }
                    (field, m.clone())
                })
                .collect();
            assert_eq!(violations(&status), want, "{name}");
            assert_eq!(
                server.get("T1", &group).await,
                before,
                "{name}: nothing stored"
            );
            through_requests += 1;
        } else {
            // A broken meeting: the import is refused with exactly the CLI's errors.
            let status = server
                .meetings()
                .import_instance(as_(
                    SECRETARIAT,
                    pb::ImportInstanceRequest {
                        instance_json: std::fs::read_to_string(data(&format!(
                            "broken/{name}.json"
                        )))
                        .unwrap(),
                        replace: true,
                    },
                ))
                .await
                .unwrap_err();
            assert_eq!(violations(&status), expected, "{name}");
        }
    }
    assert!(
        through_requests >= 12,
        "only {through_requests} request-level cases"
    );
    // The request-level wording is the session request tool's own.
    let mut bad = tiny_request("wg5");
    bad.attendees = "lots".into();
    bad.sessions = vec![0];
    let status = server
        .requests()
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(bad),
                expected_version: 1,
                update_mask: None,
            },
        ))
        .await
        .unwrap_err();
    let got = violations(&status);
    assert!(
        got.contains(&(
            "request.sessions[0]".into(),
            "Unselected Length of Session".into()
        )),
        "{got:?}"
    );
    assert!(got.contains(&(
        "request.attendees".into(),
        "Non-Numeric value entered for Number of Attendees".into()
    )));
    // A file that is not JSON names the line and column.
    let status = server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: std::fs::read_to_string(data("broken/syntax-error.json")).unwrap(),
                replace: false,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("instance_json:233:7"),
        "{}",
        status.message()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_do_what() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let meeting = || pb::GetMeetingRequest {
        meeting: "T1".into(),
    };

    // No token, a malformed header, an unknown token: UNAUTHENTICATED, for every service.
    assert_eq!(
        code(server.meetings().get_meeting(Request::new(meeting())).await),
        Code::Unauthenticated
    );
    assert_eq!(
        code(
            server
                .meetings()
                .get_meeting(as_("not-a-token", meeting()))
                .await
        ),
        Code::Unauthenticated
    );
    let mut raw = Request::new(meeting());
    raw.metadata_mut()
        .insert("authorization", WG1.parse().unwrap());
    assert_eq!(
        code(server.meetings().get_meeting(raw).await),
        Code::Unauthenticated
    );
    assert_eq!(
        code(
            server
                .requests()
                .list(Request::new(pb::ListRequestsRequest::default()))
                .await
        ),
        Code::Unauthenticated
    );
    assert_eq!(
        code(
            server
                .notifications()
                .list(Request::new(pb::ListNotificationsRequest::default()))
                .await
        ),
        Code::Unauthenticated
    );
    assert!(matches!(
        server.scheduling().solve(Request::new(pb::SolveRequest { meeting: "T1".into(), ..Default::default() })).await,
        Err(s) if s.code() == Code::Unauthenticated
    ));

    // Everyone authenticated reads.
    for token in [SECRETARIAT, WG1, WG5, RTG_AD, SEC_AD] {
        server
            .meetings()
            .get_meeting(as_(token, meeting()))
            .await
            .expect("reads");
    }

    // Secretariat only: import, create, lock, solve.
    for token in [WG1, RTG_AD] {
        assert_eq!(
            code(
                server
                    .meetings()
                    .import_instance(as_(
                        token,
                        pb::ImportInstanceRequest {
                            instance_json: std::fs::read_to_string(data("tiny.json")).unwrap(),
                            replace: true,
                        }
                    ))
                    .await
            ),
            Code::PermissionDenied
        );
        assert_eq!(
            code(
                server
                    .meetings()
                    .create_meeting(as_(
                        token,
                        pb::CreateMeetingRequest {
                            meeting: Some(pb::Meeting {
                                number: "T9".into(),
                                time_zone: "UTC".into(),
                                ..Default::default()
                            }),
                        }
                    ))
                    .await
            ),
            Code::PermissionDenied
        );
        assert_eq!(
            code(
                server
                    .meetings()
                    .set_lock(as_(
                        token,
                        pb::SetLockRequest {
                            meeting: "T1".into(),
                            locked: true,
                            message: String::new(),
                        }
                    ))
                    .await
            ),
            Code::PermissionDenied
        );
        assert!(matches!(
            server.scheduling().solve(as_(token, pb::SolveRequest { meeting: "T1".into(), ..Default::default() })).await,
            Err(s) if s.code() == Code::PermissionDenied
        ));
    }

    // Chairs touch only their groups; ADs their areas' groups.
    let edit = |group: &str| pb::EditRequest {
        meeting: "T1".into(),
        request: Some(tiny_request(group)),
        expected_version: 1,
        update_mask: None,
    };
    assert_eq!(
        code(server.requests().edit(as_(WG5, edit("wg1"))).await),
        Code::PermissionDenied
    );
    assert_eq!(
        code(
            server
                .requests()
                .cancel(as_(WG5, change("T1", "wg1", 1)))
                .await
        ),
        Code::PermissionDenied
    );
    assert_eq!(
        code(server.requests().edit(as_(SEC_AD, edit("wg1"))).await),
        Code::PermissionDenied
    );
    server
        .requests()
        .edit(as_(RTG_AD, edit("wg1")))
        .await
        .expect("the area's AD edits");
    server
        .requests()
        .edit(as_(WG5, edit("wg5")))
        .await
        .expect("the chairs edit");
    // Third-session approval: the area's ADs and the secretariat only.
    assert_eq!(
        code(
            server
                .requests()
                .approve_third_session(as_(SEC_AD, change("T1", "wg1", 2)))
                .await
        ),
        Code::PermissionDenied
    );
    assert_eq!(
        code(
            server
                .requests()
                .approve_third_session(as_(WG1, change("T1", "wg1", 2)))
                .await
        ),
        Code::PermissionDenied
    );
    server
        .requests()
        .approve_third_session(as_(SECRETARIAT, change("T1", "wg1", 2)))
        .await
        .expect("the secretariat approves");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_edit_is_aborted_and_loses_nothing() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    // Two editors read version 1.
    let read = server.get("T1", "wg5").await;
    let mut first = read.request.clone().unwrap();
    first.attendees = "41".into();
    let mut second = read.request.clone().unwrap();
    second.attendees = "42".into();
    server
        .requests()
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(first.clone()),
                expected_version: read.version,
                update_mask: None,
            },
        ))
        .await
        .expect("the first edit wins");
    let status = server
        .requests()
        .edit(as_(
            SECRETARIAT,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(second),
                expected_version: read.version,
                update_mask: None,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Aborted);
    assert!(
        status.message().contains("version 1") && status.message().contains("now at version 2"),
        "{}",
        status.message()
    );
    let now = server.get("T1", "wg5").await;
    assert_eq!((now.version, now.request), (2, Some(first)));
    // The same for cancel.
    assert_eq!(
        code(
            server
                .requests()
                .cancel(as_(WG5, change("T1", "wg5", 1)))
                .await
        ),
        Code::Aborted
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_every_acknowledged_change() {
    let dir = std::env::temp_dir().join(format!("agenda-service-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("agenda.db");
    let _ = std::fs::remove_file(&db);

    let server = Server::start(Some(&db)).await;
    server.import("tiny.json", false).await;
    let mut acknowledged = Vec::new();
    for (i, group) in ["wg1", "wg2", "wg3", "wg4", "wg5"].iter().enumerate() {
        let mut r = server.get("T1", group).await.request.unwrap();
        r.attendees = (100 + i).to_string();
        let stored = server
            .requests()
            .edit(as_(
                SECRETARIAT,
                pb::EditRequest {
                    meeting: "T1".into(),
                    request: Some(r),
                    expected_version: 1,
                    update_mask: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        acknowledged.push(stored);
    }
    server
        .requests()
        .no_session(as_(SECRETARIAT, change("T1", "ghost", 0)))
        .await
        .unwrap();
    let notes_before = server
        .notifications()
        .list(as_(SECRETARIAT, pb::ListNotificationsRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    server.stop().await;

    let server = Server::start(Some(&db)).await;
    for stored in &acknowledged {
        let group = &stored.request.as_ref().unwrap().group;
        let acknowledged = pb::StoredRequest {
            warnings: vec![],
            ..stored.clone()
        };
        assert_eq!(server.get("T1", group).await, acknowledged);
    }
    assert_eq!(
        server.get("T1", "ghost").await.status,
        pb::RequestStatus::NoSession as i32
    );
    let notes_after = server
        .notifications()
        .list(as_(SECRETARIAT, pb::ListNotificationsRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    assert_eq!(notes_after, notes_before);
    assert_eq!(notes_after.len(), 6);
    let history = server
        .requests()
        .history(as_(
            SECRETARIAT,
            pb::HistoryRequest {
                meeting: "T1".into(),
                group: "wg3".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.entries.len(), 2);
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_solve_returns_an_agenda_the_evaluator_agrees_with() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    // Nothing to warm-start from yet.
    assert!(matches!(
        server.scheduling().solve(as_(SECRETARIAT, pb::SolveRequest {
            meeting: "T1".into(),
            warm_start: true,
            ..Default::default()
        })).await,
        Err(s) if s.code() == Code::FailedPrecondition
    ));
    let mut stream = server
        .scheduling()
        .solve(as_(
            SECRETARIAT,
            pb::SolveRequest {
                meeting: "T1".into(),
                time_limit_seconds: 30.0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut progress = 0;
    let mut result = None;
    while let Some(event) = stream.message().await.unwrap() {
        match event.event.unwrap() {
            pb::solve_event::Event::Progress(p) => {
                assert!(result.is_none(), "progress after the result");
                assert!(p.elapsed_seconds >= 0.0);
                progress += 1;
            }
            pb::solve_event::Event::Result(r) => result = Some(r),
        }
    }
    assert!(progress >= 2, "progress was streamed ({progress} events)");
    let result = result.expect("a result");

    // The agenda, priced by the evaluator here, costs what the service reported.
    let instance = load_instance(data("tiny.json")).unwrap();
    let problem = agenda_solver::Problem::from_instance(&instance).unwrap();
    let agenda = parse_agenda(&result.agenda_json, "result").unwrap();
    let (_, evaluation) = evaluate_agenda(&problem, &agenda);
    assert!(
        evaluation.hard_errors.is_empty(),
        "{:?}",
        evaluation.hard_errors
    );
    assert_eq!(evaluation.cost, result.cost);
    assert_eq!(agenda.cost, Some(result.cost));
    assert_eq!(evaluation.violations.len(), result.violations.len());
    if let Some(bound) = result.lower_bound {
        assert!(bound <= result.cost);
    }

    // Byte for byte the agenda `agenda solve` writes for the same document and options
    // (the service keeps the requests in the document's order, which the solver's
    // result depends on).
    let direct = agenda_solver::solve::solve(
        &problem,
        &agenda_solver::solve::SolveOptions {
            time_limit: Duration::from_secs(30),
            threads: 2,
            ..Default::default()
        },
        &mut |_| {},
    );
    let mut direct_json = serde_json::to_string_pretty(&direct.to_agenda(&problem)).unwrap();
    direct_json.push('\n');
    assert_eq!(direct_json, result.agenda_json);

    // Stored: GetAgenda, CheckAgenda and the exports agree.
    let got = server
        .scheduling()
        .get_agenda(as_(
            WG1,
            pb::GetAgendaRequest {
                meeting: "T1".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (got.cost, &got.agenda_json),
        (result.cost, &result.agenda_json)
    );
    let checked = server
        .scheduling()
        .check_agenda(as_(
            WG1,
            pb::CheckAgendaRequest {
                meeting: "T1".into(),
                agenda_json: result.agenda_json.clone(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(checked.cost, result.cost);
    assert!(checked.hard_errors.is_empty());
    for (format, media, needle) in [
        ("csv", "text/csv", "wg1"),
        ("ics", "text/calendar", "BEGIN:VCALENDAR"),
        ("json", "application/json", "\"agenda/1\""),
        ("text", "text/plain", "wg1"),
    ] {
        let doc = server
            .scheduling()
            .export(as_(
                WG1,
                pb::ExportRequest {
                    meeting: "T1".into(),
                    format: format.into(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(doc.media_type, media);
        assert!(doc.content.contains(needle), "{format}");
    }
    let status = server
        .scheduling()
        .export(as_(
            WG1,
            pb::ExportRequest {
                meeting: "T1".into(),
                format: "pdf".into(),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status
        .message()
        .contains("use csv, ics, text, html or json"));

    // A warm-started what-if run after an edit: never worse than the stored agenda's
    // cost under the new requests.
    let mut r = server.get("T1", "wg2").await.request.unwrap();
    r.special_requests = "what if".into();
    server
        .requests()
        .edit(as_(
            SECRETARIAT,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(r),
                expected_version: 1,
                update_mask: None,
            },
        ))
        .await
        .unwrap();
    let before = server
        .scheduling()
        .get_agenda(as_(
            WG1,
            pb::GetAgendaRequest {
                meeting: "T1".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .cost;
    let mut stream = server
        .scheduling()
        .solve(as_(
            SECRETARIAT,
            pb::SolveRequest {
                meeting: "T1".into(),
                time_limit_seconds: 10.0,
                warm_start: true,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut warm = None;
    while let Some(event) = stream.message().await.unwrap() {
        if let Some(pb::solve_event::Event::Result(r)) = event.event {
            warm = Some(r);
        }
    }
    assert!(warm.unwrap().cost <= before);

    // A hand-edited agenda that puts two sessions in one room at once is reported.
    let mut broken = agenda.clone();
    broken.assignments[1].slot = broken.assignments[0].slot.clone();
    broken.assignments[1].room = broken.assignments[0].room.clone();
    let checked = server
        .scheduling()
        .check_agenda(as_(
            WG1,
            pb::CheckAgendaRequest {
                meeting: "T1".into(),
                agenda_json: serde_json::to_string(&broken).unwrap(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!checked.hard_errors.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_cancels_its_solve() {
    let server = Server::start(None).await;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/ietf-125x8.json"),
    )
    .unwrap();
    server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: text,
                replace: false,
            },
        ))
        .await
        .unwrap();
    let meeting = server
        .meetings()
        .list_meetings(as_(SECRETARIAT, pb::ListMeetingsRequest {}))
        .await
        .unwrap()
        .into_inner()
        .meetings[0]
        .number
        .clone();
    let solve = || pb::SolveRequest {
        meeting: meeting.clone(),
        time_limit_seconds: 600.0,
        ..Default::default()
    };
    let mut stream = server
        .scheduling()
        .solve(as_(SECRETARIAT, solve()))
        .await
        .unwrap()
        .into_inner();
    stream
        .message()
        .await
        .unwrap()
        .expect("a first progress event");
    // One solve at a time.
    assert!(matches!(
        server.scheduling().solve(as_(SECRETARIAT, solve())).await,
        Err(s) if s.code() == Code::ResourceExhausted
    ));
    drop(stream);
    // The abandoned solve stops soon, freeing the solver for the next one.
    let began = std::time::Instant::now();
    loop {
        match server
            .scheduling()
            .solve(as_(
                SECRETARIAT,
                pb::SolveRequest {
                    time_limit_seconds: 1.0,
                    ..solve()
                },
            ))
            .await
        {
            Ok(_) => break,
            Err(s) if s.code() == Code::ResourceExhausted => {
                assert!(
                    began.elapsed() < Duration::from_secs(60),
                    "the solve was not cancelled"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(s) => panic!("{s:?}"),
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_stream_as_they_are_stored() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let mut watch = server
        .notifications()
        .watch(as_(
            WG5,
            pb::ListNotificationsRequest {
                meeting: "T1".into(),
                after_id: 0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    // A change to another chair's group is not shown to wg5's chairs; theirs is.
    server
        .requests()
        .cancel(as_(WG1, change("T1", "wg1", 1)))
        .await
        .unwrap();
    server
        .requests()
        .cancel(as_(WG5, change("T1", "wg5", 1)))
        .await
        .unwrap();
    let n = tokio::time::timeout(Duration::from_secs(10), watch.message())
        .await
        .expect("a notification arrives")
        .unwrap()
        .unwrap();
    assert_eq!((n.group.as_str(), n.kind.as_str()), ("wg5", "cancel"));

    // A stream opened later reads the backlog from the outbox, then gets what is stored
    // after it opened: each once, in order.
    let mut all = server
        .notifications()
        .watch(as_(
            SECRETARIAT,
            pb::ListNotificationsRequest {
                meeting: "T1".into(),
                after_id: 0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    for group in ["wg2", "wg3"] {
        server
            .requests()
            .cancel(as_(SECRETARIAT, change("T1", group, 1)))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let n = tokio::time::timeout(Duration::from_secs(10), all.message())
            .await
            .expect("every notification arrives")
            .unwrap()
            .unwrap();
        seen.push((n.id, n.group));
    }
    let groups: Vec<&str> = seen.iter().map(|(_, g)| g.as_str()).collect();
    assert_eq!(groups, ["wg1", "wg5", "wg2", "wg3"]);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), all.message())
            .await
            .is_err(),
        "nothing more, nothing twice"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_answer() {
    use tonic_health::pb::{
        health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
    };
    let server = Server::start(None).await;
    let status = HealthClient::new(server.channel.clone())
        .check(HealthCheckRequest {
            service: "agenda.v1.Scheduling".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(status, ServingStatus::Serving as i32);

    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = ServerReflectionClient::new(server.channel.clone())
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for service in [
        "agenda.v1.Meetings",
        "agenda.v1.SessionRequests",
        "agenda.v1.Notifications",
        "agenda.v1.Scheduling",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == service),
            "{service} missing from {names:?}"
        );
    }
    // The older v1alpha protocol answers too (grpcio's client, older grpcurl).
    {
        use tonic_reflection::pb::v1alpha::{
            server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
            ServerReflectionRequest,
        };
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = ServerReflectionClient::new(server.channel.clone())
            .server_reflection_info(tokio_stream::iter(vec![request]))
            .await
            .expect("v1alpha reflection answers")
            .into_inner();
        let response = responses.message().await.unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
            panic!("unexpected v1alpha reflection answer");
        };
        assert!(list
            .service
            .iter()
            .any(|s| s.name == "agenda.v1.Scheduling"));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_the_same_api() {
    let read = |name: &str| std::fs::read(data(&format!("tls/{name}"))).unwrap();
    let options = ServeOptions {
        tls: Some((read("cert.pem"), read("key.pem"))),
        ..ServeOptions::default()
    };
    let server = Server::start_with(None, options, Some(read("ca.pem"))).await;
    server.import("tiny.json", false).await;
    assert_eq!(server.get("T1", "wg1").await.version, 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_deadline_shortens_the_solve() {
    let server = Server::start(None).await;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/ietf-125x8.json"),
    )
    .unwrap();
    let imported = server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: text,
                replace: false,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut request = as_(
        SECRETARIAT,
        pb::SolveRequest {
            meeting: imported.meeting.unwrap().number,
            time_limit_seconds: 600.0,
            ..Default::default()
        },
    );
    request.set_timeout(Duration::from_secs(6));
    let began = std::time::Instant::now();
    let mut stream = server
        .scheduling()
        .solve(request)
        .await
        .unwrap()
        .into_inner();
    let mut result = None;
    while let Some(event) = stream.message().await.unwrap() {
        if let Some(pb::solve_event::Event::Result(r)) = event.event {
            result = Some(r);
        }
    }
    let result = result.expect("a result within the deadline");
    assert!(
        began.elapsed() < Duration::from_secs(6),
        "{:?}",
        began.elapsed()
    );
    assert!(result.hard_errors.is_empty());
    assert!(result.stats.unwrap().total_seconds < 6.0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_requests_are_refused() {
    let server = Server::start(None).await;
    let huge = "x".repeat(agenda_service::MAX_MESSAGE_BYTES + 1024);
    let status = server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: huge,
                replace: false,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    // The server is still there.
    server.import("tiny.json", false).await;
    server.stop().await;
}

/// Many findings (here 80 unknown conflict targets) and long texts come back as
/// INVALID_ARGUMENT with capped details, not as RESOURCE_EXHAUSTED from the client's
/// metadata limit; a 15 MiB text field is refused with its field and limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_errors_and_huge_fields_are_refused_with_capped_details() {
    let server = Server::start(None).await;
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("tiny.json")).unwrap()).unwrap();
    let unknown: Vec<String> = (0..80).map(|i| format!("nosuchgroup{i}")).collect();
    doc["requests"][0]["conflicts"]["chair"] = serde_json::json!(unknown);
    let status = server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: doc.to_string(),
                replace: false,
            },
        ))
        .await
        .unwrap_err();
    let found = violations(&status);
    assert_eq!(
        found.len(),
        agenda_service::error::MAX_VIOLATIONS + 1,
        "{found:?}"
    );
    assert!(found.last().unwrap().1.contains("more error(s) not listed"));
    assert!(
        status.message().chars().count() < 400,
        "{}",
        status.message()
    );
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("tiny.json")).unwrap()).unwrap();
    doc["requests"][0]["special_requests"] = serde_json::json!("x".repeat(15 << 20));
    let status = server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: doc.to_string(),
                replace: false,
            },
        ))
        .await
        .unwrap_err();
    let found = violations(&status);
    assert!(
        found
            .iter()
            .any(|(f, m)| f == "requests[0].special_requests" && m.contains("above the limit")),
        "{found:?}"
    );
    server.stop().await;
}

/// ImportInstance with replace keeps every request's history and raises its version:
/// an edit carrying a version read before the replace is refused as stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacing_import_keeps_history_and_refuses_older_versions() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let mut edited = server.get("T1", "wg5").await.request.unwrap();
    edited.special_requests = "Not on Friday, please".into();
    let stored = server
        .requests()
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(edited.clone()),
                expected_version: 1,
                update_mask: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.version, 2);
    server.import("tiny.json", true).await;
    assert_eq!(server.get("T1", "wg5").await.version, 3);
    let history = server
        .requests()
        .history(as_(
            SECRETARIAT,
            pb::HistoryRequest {
                meeting: "T1".into(),
                group: "wg5".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.entries.len(), 3, "{history:?}");
    // The chair's edit based on version 2, read before the replace, is refused.
    let stale = server
        .requests()
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(edited),
                expected_version: 2,
                update_mask: None,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Code::Aborted, "{stale:?}");
    server.stop().await;
}

/// The interim calendar of the tests: wg1 (area rtg, a chair conflict with wg5) and
/// wg5, no IETF meeting near, no telechats, at most two interims at once. Dates are
/// relative to today, so the test keeps working as time passes.
fn interim_calendar() -> String {
    serde_json::json!({
        "format": "interim-request/1",
        "groups": [
            {"acronym": "wg1", "name": "Working Group One", "area": "rtg", "conflicts": {"chair": ["wg5"]}},
            {"acronym": "wg5", "name": "Working Group Five", "area": "sec"}
        ],
        "rules": {"max_parallel": 2}
    })
    .to_string()
}

fn interim_name(name: &str) -> pb::InterimName {
    pb::InterimName { name: name.into() }
}

fn interim_request(group: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    serde_json::json!({
        "group": group, "minutes": 60,
        "earliest": (today + chrono::Days::new(20)).to_string(),
        "latest": (today + chrono::Days::new(34)).to_string(),
        "participants": [{"time_zone": "Europe/Berlin"}, {"time_zone": "America/New_York"}]
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interims_are_requested_named_announced_and_cancelled() {
    let server = Server::start(None).await;
    let mut api = server.interims();
    // Before the calendar exists, a request is refused with the fix.
    let early = api
        .request(as_(
            WG1,
            pb::RequestInterimsRequest {
                request: interim_request("wg1"),
                time_limit_seconds: 10.0,
            },
        ))
        .await;
    assert_eq!(code(early), Code::NotFound);
    // Only the secretariat sets the calendar.
    let denied = api
        .set_calendar(as_(
            WG1,
            pb::SetCalendarRequest {
                calendar: interim_calendar(),
            },
        ))
        .await;
    assert_eq!(code(denied), Code::PermissionDenied);
    api.set_calendar(as_(
        SECRETARIAT,
        pb::SetCalendarRequest {
            calendar: interim_calendar(),
        },
    ))
    .await
    .expect("the secretariat sets the calendar");

    // A chair may not ask for another group's interim.
    let other = api
        .request(as_(
            WG1,
            pb::RequestInterimsRequest {
                request: interim_request("wg5"),
                time_limit_seconds: 10.0,
            },
        ))
        .await;
    assert_eq!(code(other), Code::PermissionDenied);
    // A bad request names its field.
    let bad = api
        .request(as_(WG1, pb::RequestInterimsRequest {
            request: r#"{"group": "wg1", "minutes": 500, "earliest": "2030-01-01", "latest": "2030-01-31"}"#.into(),
            time_limit_seconds: 10.0,
        }))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(
        violations(&bad)
            .iter()
            .any(|(f, _)| f == "requests[0].minutes"),
        "{:?}",
        violations(&bad)
    );

    // Two chairs at once: both stored, distinct numbers, never at the same time
    // (their chair conflict), and the evaluator's cost in each plan.
    let year_of = |s: &pb::StoredInterim| s.session_starts[0][..4].to_string();
    let (mut one, mut five) = (server.interims(), server.interims());
    let (a, b) = tokio::join!(
        one.request(as_(
            WG1,
            pb::RequestInterimsRequest {
                request: interim_request("wg1"),
                time_limit_seconds: 10.0
            }
        )),
        five.request(as_(
            WG5,
            pb::RequestInterimsRequest {
                request: interim_request("wg5"),
                time_limit_seconds: 10.0
            }
        )),
    );
    let (a, b) = (a.unwrap().into_inner(), b.unwrap().into_inner());
    assert_eq!(a.status, "optimal");
    let (sa, sb) = (&a.stored[0], &b.stored[0]);
    assert_eq!(sa.name, format!("interim-{}-wg1-01", year_of(sa)));
    assert_eq!(sb.name, format!("interim-{}-wg5-01", year_of(sb)));
    assert_ne!(
        sa.session_starts[0], sb.session_starts[0],
        "conflicting groups apart"
    );
    // A second request of wg1 gets the next number.
    let again = api
        .request(as_(
            WG1,
            pb::RequestInterimsRequest {
                request: interim_request("wg1"),
                time_limit_seconds: 10.0,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let second = &again.stored[0];
    assert!(
        second.name.ends_with("-wg1-02") || year_of(second) != year_of(sa),
        "{}",
        second.name
    );
    let plan: serde_json::Value = serde_json::from_str(&again.plan).unwrap();
    assert_eq!(plan["format"], "interim-plan/1");

    // Announce: secretariat only; the message reaches the outbox.
    let denied = api.announce(as_(WG1, interim_name(&sa.name))).await;
    assert_eq!(code(denied), Code::PermissionDenied);
    let announced = api
        .announce(as_(SECRETARIAT, interim_name(&sa.name)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(announced.status, "announced");
    let outbox = server
        .notifications()
        .list(as_(
            SECRETARIAT,
            pb::ListNotificationsRequest {
                meeting: sa.name.clone(),
                after_id: 0,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .notifications;
    assert_eq!(outbox.len(), 1);
    assert!(
        outbox[0]
            .subject
            .starts_with("Working Group One (wg1) WG Virtual Meeting: "),
        "{}",
        outbox[0].subject
    );
    assert_eq!(outbox[0].cc, vec!["wg1@ietf.org".to_string()]);
    assert!(outbox[0].to[0].contains("ietf-announce@ietf.org"));

    // Cancel: the other group's chair may not; wg1's may; the number stays taken.
    let denied = api.cancel(as_(WG5, interim_name(&sa.name))).await;
    assert_eq!(code(denied), Code::PermissionDenied);
    let cancelled = api
        .cancel(as_(WG1, interim_name(&sa.name)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.status, "cancelled");
    let third = api
        .request(as_(
            WG1,
            pb::RequestInterimsRequest {
                request: interim_request("wg1"),
                time_limit_seconds: 10.0,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(
        third.stored[0].name.ends_with("-03") || year_of(&third.stored[0]) != year_of(sa),
        "{}",
        third.stored[0].name
    );
    let listed = api
        .list(as_(
            WG5,
            pb::ListInterimsRequest {
                group: "wg1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .interims;
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().filter(|i| i.status == "cancelled").count(), 1);

    // Plan is stateless and open to any caller.
    let stateless = api
        .plan(as_(
            WG5,
            pb::PlanInterimsRequest {
                request: std::fs::read_to_string("tests/data/interim/series-rotation.json")
                    .unwrap(),
                time_limit_seconds: 3.0,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(stateless.stored.is_empty());
    assert!(stateless.lower_bound.unwrap() <= stateless.cost);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_interim_requests_never_share_a_number() {
    let server = Server::start(None).await;
    server
        .interims()
        .set_calendar(as_(
            SECRETARIAT,
            pb::SetCalendarRequest {
                calendar: interim_calendar(),
            },
        ))
        .await
        .unwrap();
    let mut calls = Vec::new();
    for _ in 0..6 {
        let mut api = server.interims();
        calls.push(tokio::spawn(async move {
            api.request(as_(
                WG1,
                pb::RequestInterimsRequest {
                    request: interim_request("wg1"),
                    time_limit_seconds: 10.0,
                },
            ))
            .await
            .map(|r| r.into_inner())
        }));
    }
    let mut names = Vec::new();
    for c in calls {
        let reply = c.await.unwrap().expect("each request is stored");
        names.extend(reply.stored.into_iter().map(|s| s.name));
    }
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6, "{names:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_virtual_streams_progress_and_stores_the_online_meeting() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let spec = std::fs::read_to_string(data("online/ietf107.json")).unwrap();
    let request = |token: &str, virtual_meeting: String| {
        as_(
            token,
            pb::PlanVirtualRequest {
                meeting: "T1".into(),
                virtual_meeting,
                time_limit_seconds: 20.0,
            },
        )
    };
    // The secretariat only; a bad description names its fields.
    let denied = server
        .scheduling()
        .plan_virtual(request(WG1, spec.clone()))
        .await;
    assert_eq!(code(denied), Code::PermissionDenied);
    let bad = server
        .scheduling()
        .plan_virtual(request(
            SECRETARIAT,
            spec.replace("\"tracks\": 2", "\"tracks\": 0"),
        ))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(
        violations(&bad).iter().any(|(f, _)| f == "tracks"),
        "{:?}",
        violations(&bad)
    );

    let mut stream = server
        .scheduling()
        .plan_virtual(request(SECRETARIAT, spec))
        .await
        .unwrap()
        .into_inner();
    let (mut progress, mut result) = (0, None);
    while let Some(event) = stream.message().await.unwrap() {
        match event.event.unwrap() {
            pb::plan_virtual_event::Event::Progress(_) => progress += 1,
            pb::plan_virtual_event::Event::Result(r) => result = Some(r),
        }
    }
    let plan = result.expect("a result");
    assert!(progress > 0);
    let report = plan.agenda.as_ref().unwrap();
    // The online agenda is priced by the evaluator against the online instance.
    let instance: agenda_solver::Instance = serde_json::from_str(&plan.instance).unwrap();
    assert_eq!(instance.meeting.mode.as_deref(), Some("virtual"));
    assert_eq!(instance.rooms.len(), 2);
    let p = agenda_solver::Problem::from_instance(&instance).unwrap();
    let agenda = parse_agenda(&report.agenda_json, "virtual agenda").unwrap();
    let (_, e) = evaluate_agenda(&p, &agenda);
    assert!(e.hard_errors.is_empty());
    assert_eq!(Some(e.cost), agenda.cost);
    assert!(plan.window.contains("20:00 UTC"), "{}", plan.window);
    let interims: serde_json::Value = serde_json::from_str(&plan.interim_request).unwrap();
    assert_eq!(interims["format"], "interim-request/1");
    assert_eq!(
        interims["requests"].as_array().unwrap().len(),
        plan.left_out.len()
    );
    // Stored: anyone authenticated reads it back.
    let stored = server
        .scheduling()
        .get_virtual_plan(as_(
            WG5,
            pb::GetVirtualPlanRequest {
                meeting: "T1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.agenda.unwrap().agenda_json, report.agenda_json);
    assert_eq!(stored.left_out, plan.left_out);
    server.stop().await;
}

/// An edit with an `update_mask` changes only the fields it names (the README's Edit
/// example); an unknown path is refused naming it; no mask still replaces everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_masked_edit_changes_only_what_it_names() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let before = server.get("T1", "wg1").await;
    let mask = |paths: &[&str]| {
        Some(prost_types::FieldMask {
            paths: paths.iter().map(|p| p.to_string()).collect(),
        })
    };
    let edit = |request: pb::SessionRequest, version: u64, update_mask| {
        as_(
            WG1,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(request),
                expected_version: version,
                update_mask,
            },
        )
    };
    // Only the attendees and the chair conflicts are sent.
    let sent = pb::SessionRequest {
        group: "wg1".into(),
        attendees: "120".into(),
        conflicts: Some(pb::Conflicts {
            chair: vec!["wg4".into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    let stored = server
        .requests()
        .edit(edit(
            sent.clone(),
            1,
            mask(&["attendees", "conflicts.chair"]),
        ))
        .await
        .unwrap()
        .into_inner();
    let mut expected = before.request.clone().unwrap();
    expected.attendees = "120".into();
    expected.conflicts.as_mut().unwrap().chair = vec!["wg4".into()];
    assert_eq!(stored.request, Some(expected.clone()));
    assert_eq!(stored.version, 2);
    let kept = stored.request.unwrap();
    assert_eq!(
        kept.conflicts.unwrap().technology,
        ["wg3"],
        "technology kept"
    );
    assert_eq!(kept.must_attend, ["p1"], "must-attend people kept");

    let bad = server
        .requests()
        .edit(edit(sent.clone(), 2, mask(&["attendees", "attendee"])))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert_eq!(
        violations(&bad)[0].0,
        "update_mask.paths[1]",
        "{:?}",
        violations(&bad)
    );
    assert_eq!(server.get("T1", "wg1").await.version, 2, "nothing stored");

    // Without a mask the request is replaced: what was not sent is gone.
    let replaced = server
        .requests()
        .edit(edit(
            pb::SessionRequest {
                sessions: expected.sessions.clone(),
                ..sent
            },
            2,
            None,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(replaced.request.unwrap().must_attend.is_empty());
    server.stop().await;
}

/// List, History and Notifications.List come a page at a time: following the tokens
/// gives every item once, in order; a forged token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_come_in_pages() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let mut requests = server.requests();
    let (mut groups, mut token, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let page = requests
            .list(as_(
                SECRETARIAT,
                pb::ListRequestsRequest {
                    meeting: "T1".into(),
                    page_size: 3,
                    page_token: token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(page.requests.len() <= 3);
        groups.extend(
            page.requests
                .iter()
                .map(|r| r.request.as_ref().unwrap().group.clone()),
        );
        pages += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let mut sorted = groups.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((groups.len(), pages), (10, 4));
    assert_eq!(groups, sorted, "in order, each once");

    // Three versions of wg5's history, one per page.
    for version in 1..=2 {
        let mut edited = server.get("T1", "wg5").await.request.unwrap();
        edited.special_requests = format!("change {version}");
        requests
            .edit(as_(
                WG5,
                pb::EditRequest {
                    meeting: "T1".into(),
                    request: Some(edited),
                    expected_version: version,
                    update_mask: None,
                },
            ))
            .await
            .unwrap();
    }
    let mut versions = Vec::new();
    let mut token = String::new();
    loop {
        let page = requests
            .history(as_(
                SECRETARIAT,
                pb::HistoryRequest {
                    meeting: "T1".into(),
                    group: "wg5".into(),
                    page_size: 1,
                    page_token: token.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        versions.extend(page.entries.iter().map(|e| e.version));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(versions, [1, 2, 3]);

    // The outbox: two edits' messages, one per page.
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = server
            .notifications()
            .list(as_(
                SECRETARIAT,
                pb::ListNotificationsRequest {
                    meeting: "T1".into(),
                    after_id: after,
                    page_size: 1,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        ids.extend(page.notifications.iter().map(|n| n.id));
        if page.next_after_id == 0 {
            break;
        }
        after = page.next_after_id;
    }
    assert_eq!(ids.len(), 2, "{ids:?}");

    let forged = requests
        .list(as_(
            SECRETARIAT,
            pb::ListRequestsRequest {
                meeting: "T1".into(),
                page_token: "v:7".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(forged.code(), Code::InvalidArgument);
    assert!(forged.message().contains("page_token"), "{forged:?}");
    server.stop().await;
}

/// Connections past the cap are closed at once (the ones open keep working), and a
/// shutdown ends within its deadline even while connections that never finish their
/// handshake stay open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_and_shutdown_has_a_deadline() {
    let options = ServeOptions {
        max_connections: 3,
        shutdown_deadline: Duration::from_millis(500),
        ..ServeOptions::default()
    };
    // The test client's channel holds the first connection.
    let server = Server::start_with(None, options, None).await;
    server.import("tiny.json", false).await;
    let idle: Vec<tokio::net::TcpStream> = vec![
        tokio::net::TcpStream::connect(server.addr).await.unwrap(),
        tokio::net::TcpStream::connect(server.addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fourth = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await;
    let refused = match fourth {
        Err(_) => true,
        Ok(channel) => SessionRequestsClient::new(channel)
            .get(as_(
                SECRETARIAT,
                pb::GetRequestRequest {
                    meeting: "T1".into(),
                    group: "wg5".into(),
                },
            ))
            .await
            .is_err(),
    };
    assert!(refused, "a fourth connection is refused");
    // The connection already open still serves.
    assert_eq!(server.get("T1", "wg5").await.version, 1);

    let began = std::time::Instant::now();
    server.stop().await;
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "stopped after {:?} with idle connections open",
        began.elapsed()
    );
    drop(idle);
}

/// Solve the meeting: the result is stored as the draft; a hand-edited upload, publish
/// it, a second solve that does not replace the cheaper or published one, then a what-if
/// run from the published agenda, streamed, with bad scenario lines named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_agendas_and_what_if_runs() {
    let server = Server::start(None).await;
    server.import("tiny.json", false).await;
    let mut scheduling = server.scheduling();
    let solve = |save_as: &str| {
        as_(
            SECRETARIAT,
            pb::SolveRequest {
                meeting: "T1".into(),
                time_limit_seconds: 20.0,
                save_as: save_as.into(),
                ..Default::default()
            },
        )
    };
    let last = |mut stream: tonic::Streaming<pb::SolveEvent>| async move {
        let mut result = None;
        while let Some(event) = stream.message().await.unwrap() {
            if let Some(pb::solve_event::Event::Result(r)) = event.event {
                result = Some(r);
            }
        }
        result.unwrap()
    };
    let first = last(scheduling.solve(solve("")).await.unwrap().into_inner()).await;
    assert_eq!(first.saved_as, "draft");

    // The secretariat uploads the draft as "hand-1" and publishes it.
    let saved = scheduling
        .save_agenda(as_(
            SECRETARIAT,
            pb::SaveAgendaRequest {
                meeting: "T1".into(),
                name: "hand-1".into(),
                agenda_json: first.agenda_json.clone(),
                overwrite: false,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((saved.cost, saved.hard_errors), (first.cost, 0));
    assert_eq!(saved.made_by, "IETF Secretariat");
    let published = scheduling
        .publish_agenda(as_(
            SECRETARIAT,
            pb::PublishAgendaRequest {
                meeting: "T1".into(),
                name: "hand-1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(published.published);
    // A chair may read but not publish; a bad name and an agenda with a hard error
    // are refused.
    assert_eq!(
        code(
            scheduling
                .publish_agenda(as_(
                    WG5,
                    pb::PublishAgendaRequest {
                        meeting: "T1".into(),
                        name: "draft".into(),
                    }
                ))
                .await
        ),
        Code::PermissionDenied
    );
    let mut broken: serde_json::Value = serde_json::from_str(&first.agenda_json).unwrap();
    broken["assignments"][1]["slot"] = broken["assignments"][0]["slot"].clone();
    broken["assignments"][1]["room"] = broken["assignments"][0]["room"].clone();
    for (name, agenda_json, expected) in [
        (
            "bad name!",
            first.agenda_json.clone(),
            Code::InvalidArgument,
        ),
        ("clash", broken.to_string(), Code::InvalidArgument),
        (
            "hand-1",
            first.agenda_json.clone(),
            Code::FailedPrecondition,
        ),
    ] {
        let r = scheduling
            .save_agenda(as_(
                SECRETARIAT,
                pb::SaveAgendaRequest {
                    meeting: "T1".into(),
                    name: name.into(),
                    agenda_json,
                    overwrite: false,
                },
            ))
            .await;
        assert_eq!(code(r), expected, "{name}");
    }

    // A solve into the published agenda's name does not replace it.
    let again = last(
        scheduling
            .solve(solve("hand-1"))
            .await
            .unwrap()
            .into_inner(),
    )
    .await;
    assert_eq!(again.saved_as, "", "the published agenda is kept");
    let list = scheduling
        .list_agendas(as_(
            WG5,
            pb::ListAgendasRequest {
                meeting: "T1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<(&str, bool)> = list
        .agendas
        .iter()
        .map(|a| (a.name.as_str(), a.published))
        .collect();
    assert_eq!(names, [("draft", false), ("hand-1", true)]);

    // What-if from the published agenda: a bad line is refused before any solve.
    let refused = scheduling
        .what_if(as_(
            SECRETARIAT,
            pb::WhatIfRequest {
                meeting: "T1".into(),
                scenarios: "ok: attendees wg5 12\nghost: cancel nosuchgroup\n".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        violations(&refused)[0].1.contains("line 2: ghost"),
        "{:?}",
        violations(&refused)
    );
    let mut stream = scheduling
        .what_if(as_(
            SECRETARIAT,
            pb::WhatIfRequest {
                meeting: "T1".into(),
                scenarios: "same: attendees wg5 12\nbof: request latebof 60 20\n".into(),
                time_limit_seconds: 10.0,
                save: true,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let (mut outcomes, mut summary) = (Vec::new(), None);
    while let Some(event) = stream.message().await.unwrap() {
        match event.event.unwrap() {
            pb::what_if_event::Event::Outcome(o) => outcomes.push(o),
            pb::what_if_event::Event::Summary(s) => summary = Some(s),
        }
    }
    let summary = summary.expect("a summary last");
    assert_eq!((summary.scenarios, summary.base_cost), (2, first.cost));
    outcomes.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    let same = &outcomes[1];
    assert_eq!(
        (same.scenario.as_str(), same.moved, same.change),
        ("same", 0, 0)
    );
    assert_eq!(same.saved_as, "whatif-same");
    assert!(
        outcomes[0]
            .moves
            .iter()
            .any(|m| m.starts_with("latebof 1: (not placed) -> ")),
        "{:?}",
        outcomes[0].moves
    );
    let stored = scheduling
        .get_agenda(as_(
            WG5,
            pb::GetAgendaRequest {
                meeting: "T1".into(),
                name: "whatif-bof".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(stored.agenda_json.contains("latebof"));

    // Move rules: one at a time (named field), and a cap of 0 moves nothing.
    let both = scheduling
        .what_if(as_(
            SECRETARIAT,
            pb::WhatIfRequest {
                meeting: "T1".into(),
                scenarios: "same: attendees wg5 12\n".into(),
                move_cost: Some(5),
                max_moves: Some(1),
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(both.code(), Code::InvalidArgument);
    assert_eq!(violations(&both)[0].0, "move_cost");
    let mut stream = scheduling
        .what_if(as_(
            SECRETARIAT,
            pb::WhatIfRequest {
                meeting: "T1".into(),
                scenarios: "bof: request latebof 60 20\n".into(),
                time_limit_seconds: 10.0,
                max_moves: Some(0),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut capped = Vec::new();
    while let Some(event) = stream.message().await.unwrap() {
        if let pb::what_if_event::Event::Outcome(o) = event.event.unwrap() {
            capped.push(o);
        }
    }
    assert_eq!(capped.len(), 1);
    assert_eq!(capped[0].moved, 0, "{:?}", capped[0].moves);
    server.stop().await;
}

/// A TLS key that does not parse fails the server before it serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_tls_key_fails_before_serving() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let service = AgendaService::new(
        Store::in_memory().unwrap(),
        AccessConfig::parse(CONFIG).unwrap(),
    )
    .unwrap();
    let options = ServeOptions {
        tls: Some((b"not a certificate".to_vec(), b"not a key".to_vec())),
        ..ServeOptions::default()
    };
    let served = tokio::time::timeout(
        Duration::from_secs(5),
        serve(listener, service, options, std::future::pending()),
    )
    .await
    .expect("fails at once rather than serving");
    assert!(served.is_err());
}

/// A fake SMTP server on loopback: the first `refuse` conversations get `451` at `MAIL
/// FROM`, later ones are accepted; returns its port and the messages it accepted.
async fn fake_smtp(refuse: usize) -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let messages = accepted.clone();
    tokio::spawn(async move {
        let mut conversations = 0;
        while let Ok((socket, _)) = listener.accept().await {
            conversations += 1;
            let refusing = conversations <= refuse;
            let messages = messages.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            messages.lock().unwrap().push(data.take().unwrap());
                            let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "MAIL" if refusing => b"451 4.3.0 mailbox busy, try again later\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, accepted)
}

/// The mail config of a fake SMTP server on `port`.
fn mail_to(port: u16, max_attempts: u32) -> agenda_service::mail::MailConfig {
    agenda_service::mail::MailConfig::parse(&format!(
        "[mail]\nserver = '127.0.0.1'\nport = {port}\nsecurity = 'none'\nretry_seconds = 1\nmax_attempts = {max_attempts}"
    ))
    .unwrap()
    .unwrap()
}

/// Waits until the outbox's first notification of T1 has a final delivery state.
async fn delivered(server: &Server) -> pb::Notification {
    for _ in 0..100 {
        let list = server
            .notifications()
            .list(as_(
                SECRETARIAT,
                pb::ListNotificationsRequest {
                    meeting: "T1".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        if let Some(n) = list.notifications.first() {
            if n.delivery == "sent" || n.delivery == "failed" {
                return n.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no delivery within 10 s");
}

async fn edit_wg5(server: &Server) {
    let mut edited = server.get("T1", "wg5").await.request.unwrap();
    edited.special_requests = "A room with a window".into();
    server
        .requests()
        .edit(as_(
            WG5,
            pb::EditRequest {
                meeting: "T1".into(),
                request: Some(edited),
                expected_version: 1,
                update_mask: None,
            },
        ))
        .await
        .unwrap();
}

/// A server that mails through a fake SMTP server refusing the first `refuse`
/// conversations, with one notification in its outbox (wg5's edit).
async fn mailing_server(
    refuse: usize,
    max_attempts: u32,
) -> (Server, Arc<std::sync::Mutex<Vec<String>>>) {
    let (port, accepted) = fake_smtp(refuse).await;
    let options = ServeOptions {
        mail: Some(mail_to(port, max_attempts)),
        ..ServeOptions::default()
    };
    let server = Server::start_with(None, options, None).await;
    server.import("tiny.json", false).await;
    edit_wg5(&server).await;
    (server, accepted)
}

/// The outbox reaches a real SMTP conversation on loopback: a refused attempt is
/// retried, then the message arrives with its recipients; a server that keeps refusing
/// leaves the notification failed with its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_mail_is_delivered_and_retried() {
    let (server, accepted) = mailing_server(1, 3).await;
    let n = delivered(&server).await;
    assert_eq!(
        (n.delivery.as_str(), n.delivery_attempts),
        ("sent", 2),
        "{n:?}"
    );
    let messages = accepted.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains(&format!("Subject: {}", n.subject)),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("session-request@ietf.org"),
        "{}",
        messages[0]
    );
    server.stop().await;

    let (server, accepted) = mailing_server(usize::MAX, 2).await;
    let n = delivered(&server).await;
    assert_eq!(
        (n.delivery.as_str(), n.delivery_attempts),
        ("failed", 2),
        "{n:?}"
    );
    assert!(
        n.delivery_error.contains("mailbox busy"),
        "{}",
        n.delivery_error
    );
    assert!(accepted.lock().unwrap().is_empty());
    server.stop().await;
}

/// Sends raw bytes as a request body (whatever protobuf makes of them).
#[derive(Clone, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), Status> {
        use bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, src: &mut tonic::codec::DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        use bytes::Buf;
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

/// A request that is not valid protobuf is INVALID_ARGUMENT (the client's fault, not
/// to be retried), and the server goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_protobuf_is_invalid_argument() {
    let server = Server::start(None).await;
    let mut grpc = tonic::client::Grpc::new(server.channel.clone());
    grpc.ready().await.unwrap();
    // Field 1 as a length-delimited string claiming 100 bytes, with 2 present.
    let garbage = vec![0x0a, 100, b'x', b'y'];
    let status = grpc
        .unary(
            as_(SECRETARIAT, garbage),
            "/agenda.v1.Meetings/GetMeeting".parse().unwrap(),
            RawCodec,
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    server.import("tiny.json", false).await;
    server.stop().await;
}

/// An instance imported from the datatracker keeps its keys through the service, so
/// that an exported instance can still be written back as a datatracker schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datatracker_keys_survive_import_and_export() {
    let server = Server::start(None).await;
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("tiny.json")).unwrap()).unwrap();
    doc["datatracker"] = serde_json::json!({
        "meeting": 83,
        "sessions": [{"group": "wg1", "session": 1, "pk": 2157}],
        "timeslots": []
    });
    server
        .meetings()
        .import_instance(as_(
            SECRETARIAT,
            pb::ImportInstanceRequest {
                instance_json: doc.to_string(),
                replace: false,
            },
        ))
        .await
        .unwrap();
    let exported = server
        .meetings()
        .export_instance(as_(
            SECRETARIAT,
            pb::GetMeetingRequest {
                meeting: "T1".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let back: serde_json::Value = serde_json::from_str(&exported.content).unwrap();
    assert_eq!(back["datatracker"], doc["datatracker"]);
    server.stop().await;
}
