//! The provider audit against the demo provider: every check passes on the strict provider and
//! fails (or warns, or notes) under the misbehaviour that breaks its rule — one row per check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::time::Duration;

use oauthviz::config::ProviderConfig;
use oauthviz::demo::{self, DemoOptions, Misbehave, Misbehaviour};
use oauthviz::protocol::token::ClientAuth;
use oauthviz::trace::{StepId, Verdict};
use oauthviz::workbench::audit::Report;
use oauthviz::workbench::{AuditCheck, Experiment, Judged, Workbench};
use support::demo_flow::{demo, scripted};

const WAIT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug)]
enum Client {
    Basic,
    Post,
    Public,
}

fn config(server: &demo::DemoServer, client: Client) -> ProviderConfig {
    let mut cfg = ProviderConfig::demo(server);
    match client {
        Client::Basic => {}
        Client::Post => {
            cfg.client_id = demo::POST_CLIENT_ID.into();
            cfg.client_secret = Some(oauthviz::protocol::secret::Secret::new(
                demo::POST_CLIENT_SECRET,
            ));
            cfg.client_auth = ClientAuth::Post;
        }
        Client::Public => {
            cfg.client_id = demo::PUBLIC_CLIENT_ID.into();
            cfg.client_secret = None;
            cfg.client_auth = ClientAuth::None;
        }
    }
    cfg
}

/// The flow, then the audit of `only` (every check when empty), on a demo provider that breaks
/// the rules `misbehave` names.
fn audit(misbehave: &[Misbehave], client: Client, only: &[&str]) -> Report {
    audit_on(
        DemoOptions {
            misbehaviour: Misbehaviour::of(misbehave.iter().copied()),
            ..Default::default()
        },
        Duration::ZERO,
        client,
        only,
    )
}

/// The same on a demo provider set up with `options`, the audit waiting up to `wait`.
fn audit_on(options: DemoOptions, wait: Duration, client: Client, only: &[&str]) -> Report {
    let server = demo(options);
    let mut bench = Workbench::new(|| {}).unwrap();
    let run = bench.start(config(&server, client), scripted());
    bench.wait_idle(run, WAIT, |_, _| {});
    let only: Vec<String> = only.iter().map(|s| (*s).to_owned()).collect();
    bench.set_wait(run, wait);
    bench.audit(run, AuditCheck::select(&only, &[]).unwrap());
    bench.wait_idle(run, WAIT, |_, _| {});
    let r = bench.run(run).unwrap();
    assert!(!r.busy());
    r.audit
        .as_ref()
        .unwrap()
        .report
        .clone()
        .expect("the audit wrote its report")
}

fn table(report: &Report) -> String {
    report
        .rows
        .iter()
        .map(|r| {
            format!(
                "{:?} {}: {}",
                r.finding.verdict,
                r.check.id(),
                r.finding.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The checks a client kind cannot run on the demo provider, each with the reason it names.
fn assert_all_pass(report: &Report, skips: &[(&str, &str)]) {
    assert!(report.rows.len() >= 40, "{}", table(report));
    for row in &report.rows {
        let id = row.check.id();
        match skips.iter().find(|(s, _)| *s == id) {
            Some((_, why)) => {
                assert_eq!(
                    row.finding.verdict,
                    Verdict::Skip,
                    "{id}: {}",
                    row.finding.summary
                );
                assert!(
                    row.finding.summary.contains(why),
                    "{id}: {}",
                    row.finding.summary
                );
            }
            None => assert_eq!(
                row.finding.verdict,
                Verdict::Pass,
                "{id} on the strict provider:\n{}",
                table(report)
            ),
        }
    }
}

#[test]
fn every_check_passes_against_the_strict_provider_with_a_confidential_client() {
    let report = audit(&[], Client::Basic, &[]);
    assert_all_pass(&report, WAITING);
    // Passive checks read the whole run; active ones name the attempts that prove them.
    let reuse = report.row("reuse-code").unwrap();
    assert!(
        reuse.attempts.iter().any(|(s, _)| *s == StepId::E),
        "{reuse:?}"
    );
    assert!(
        reuse
            .finding
            .summary
            .contains("HTTP 400, error=invalid_grant"),
        "{}",
        reuse.finding.summary
    );
}

/// The checks that wait are skipped unless the audit may wait (their own test waits).
const WAITING: &[(&str, &str)] = &[
    ("code-lifetime", "needs a wait"),
    ("expired-access-token", "needs a wait"),
];

#[test]
fn every_check_passes_against_the_strict_provider_with_a_public_client() {
    let confidential = "a confidential client";
    let secret = "a client that authenticates with a secret";
    let report = audit(&[], Client::Public, &[]);
    assert_all_pass(
        &report,
        &[
            WAITING[0],
            WAITING[1],
            ("wrong-client-secret", confidential),
            ("no-client-authentication", confidential),
            ("credentials-in-header-and-body", confidential),
            ("client-auth-other-method", confidential),
            ("credentials-in-query", secret),
            ("revoked-token-introspection", confidential),
        ],
    );
}

/// (check, misbehaviour, client, verdict): each check caught by a rule the demo breaks.
const CAUGHT: &[(&str, &[Misbehave], Client, Verdict)] = {
    use Client::{Basic, Post, Public};
    use Misbehave as M;
    use Verdict::{Fail, Info, Warn};
    &[
        ("discovery-issuer", &[M::MetadataWrongIssuer], Basic, Fail),
        (
            "discovery-required-fields",
            &[M::IncompleteMetadata],
            Basic,
            Fail,
        ),
        ("pkce-advertised", &[M::NoPkceMetadata], Basic, Warn),
        ("pkce-methods-match", &[M::IgnorePkce], Basic, Warn),
        (
            "authorization-page-framing",
            &[M::FrameablePages],
            Basic,
            Warn,
        ),
        (
            "authorization-page-referrer-policy",
            &[M::FrameablePages],
            Basic,
            Info,
        ),
        (
            "redirect-uri-unregistered",
            &[M::AnyRedirectUri],
            Basic,
            Fail,
        ),
        (
            "redirect-uri-other-path",
            &[M::LooseRedirectUri],
            Basic,
            Fail,
        ),
        (
            "redirect-uri-one-char-at-a",
            &[M::AnyRedirectUri],
            Basic,
            Fail,
        ),
        ("redirect-uri-other-host", &[M::AnyRedirectUri], Basic, Fail),
        (
            "redirect-uri-other-scheme",
            &[M::AnyRedirectUri],
            Basic,
            Fail,
        ),
        (
            "redirect-uri-other-port",
            &[M::PinRedirectPort],
            Basic,
            Warn,
        ),
        ("open-redirect-on-error", &[M::AnyRedirectUri], Basic, Fail),
        (
            "redirect-uri-one-char",
            &[M::SkipRedirectUriAtToken],
            Basic,
            Fail,
        ),
        (
            "redirect-uri-omitted-at-d",
            &[M::SkipRedirectUriAtToken],
            Basic,
            Fail,
        ),
        ("state-echoed", &[M::SkipState], Basic, Fail),
        ("state-echoed", &[M::WrongState], Basic, Fail),
        ("iss-on-callback", &[M::NoIss], Basic, Fail),
        ("pkce-required", &[M::IgnorePkce], Public, Warn),
        ("drop-code-verifier", &[M::IgnorePkce], Basic, Fail),
        ("wrong-code-verifier", &[M::IgnorePkce], Basic, Fail),
        ("pkce-downgrade", &[M::AcceptPkceDowngrade], Basic, Fail),
        ("short-code-verifier", &[M::IgnorePkce], Basic, Warn),
        ("pkce-plain", &[M::IgnorePkce], Basic, Info),
        ("reuse-code", &[M::AcceptReusedCodes], Basic, Fail),
        (
            "reuse-code-revokes-tokens",
            &[M::KeepTokensOnCodeReuse],
            Basic,
            Warn,
        ),
        ("made-up-code", &[M::TokenInHttp200Error], Basic, Warn),
        ("code-bound-to-client", &[M::CodesForAnyClient], Basic, Fail),
        (
            "code-bound-to-client",
            &[M::CodesForAnyClient],
            Public,
            Fail,
        ),
        (
            "wrong-client-secret",
            &[M::TokenInHttp200Error],
            Basic,
            Fail,
        ),
        (
            "no-client-authentication",
            &[M::AllowUnauthenticatedClients],
            Post,
            Fail,
        ),
        (
            "credentials-in-header-and-body",
            &[M::AcceptDoubleAuth],
            Basic,
            Warn,
        ),
        ("client-auth-other-method", &[M::AnyAuthMethod], Basic, Info),
        ("client-auth-other-method", &[M::AnyAuthMethod], Post, Info),
        ("token-get", &[M::TokenAcceptsGet], Basic, Warn),
        (
            "token-params-twice",
            &[M::AcceptRepeatedParams],
            Basic,
            Warn,
        ),
        ("credentials-in-query", &[M::ReadQueryParams], Post, Warn),
        ("token-json", &[M::TokenTextPlain], Basic, Fail),
        ("token-error-body", &[M::TextErrors], Basic, Fail),
        ("token-error-status", &[M::TokenInHttp200Error], Basic, Warn),
        ("token-no-store", &[M::NoCacheControl], Basic, Fail),
        ("expires-in", &[M::NoExpiresIn], Basic, Warn),
        ("code-entropy", &[M::WeakTokens], Basic, Fail),
        ("access-token-entropy", &[M::WeakTokens], Basic, Fail),
        ("refresh-token-entropy", &[M::WeakTokens], Basic, Fail),
        ("refresh-twice", &[M::NoRefreshRotation], Public, Fail),
        ("refresh-twice", &[M::NoRefreshRotation], Basic, Info),
        (
            "refresh-reuse-revokes-family",
            &[M::NoRefreshReuseDetection],
            Basic,
            Warn,
        ),
        (
            "refresh-scope-widened",
            &[M::WidenScopeOnRefresh],
            Basic,
            Fail,
        ),
        ("resource-no-token", &[M::RsNoChallenge], Basic, Fail),
        ("resource-no-token", &[M::RsErrorWithoutToken], Basic, Warn),
        ("garbage-token", &[M::RsNoChallenge], Basic, Fail),
        ("bearer-in-query", &[M::AcceptQueryToken], Basic, Info),
        (
            "revoked-token-introspection",
            &[M::RevocationNoop],
            Basic,
            Fail,
        ),
        (
            "revoked-access-token-at-resource",
            &[M::RevocationNoop],
            Basic,
            Info,
        ),
        ("revoked-refresh-token", &[M::RevocationNoop], Basic, Fail),
        ("nonce-echoed", &[M::DropNonce], Basic, Fail),
        ("nonce-not-required", &[M::RequireNonce], Basic, Warn),
        ("id-token-sub", &[M::EmptySub], Basic, Fail),
        ("id-token-aud", &[M::WrongAud], Basic, Fail),
        ("id-token-auth-time", &[M::FutureAuthTime], Basic, Fail),
    ]
};

/// What else a check reads: a refusal to judge, the verdict of pkce-plain.
fn with_what_it_reads(id: &'static str) -> Vec<&'static str> {
    match id {
        "pkce-methods-match" => vec![id, "pkce-plain"],
        "token-error-body" | "token-error-status" => vec![id, "made-up-code"],
        _ => vec![id],
    }
}

#[test]
fn every_check_is_caught_by_the_misbehaviour_that_breaks_its_rule() {
    let mut wrong = Vec::new();
    for (id, misbehave, client, verdict) in CAUGHT {
        let report = audit(misbehave, *client, &with_what_it_reads(id));
        let row = report.row(id).unwrap();
        if row.finding.verdict != *verdict {
            wrong.push(format!(
                "{id} with {misbehave:?} ({client:?}): {:?}, not {verdict:?}: {}",
                row.finding.verdict, row.finding.summary
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The checks that wait, on a demo provider whose codes and access tokens live one second and
/// an audit that may wait three: the strict provider refuses both; with the misbehaviours it
/// still takes them, which three seconds cannot judge (RFC 6749 recommends codes live at most
/// ten minutes, and a resource server may allow minutes of clock leeway), so that is a note.
/// Past those limits they warn and fail: the judge's own tests, with the times in the trace.
const EXPIRY: &[Misbehave] = &[Misbehave::CodesNeverExpire, Misbehave::AcceptExpiredTokens];

#[test]
fn the_checks_that_wait_see_codes_and_tokens_expire() {
    let short_lived = |misbehave: &[Misbehave]| DemoOptions {
        misbehaviour: Misbehaviour::of(misbehave.iter().copied()),
        code_ttl: Duration::from_secs(1),
        access_token_ttl: Duration::from_secs(1),
        ..Default::default()
    };
    let ids: Vec<&str> = WAITING.iter().map(|(id, _)| *id).collect();
    let wait = Duration::from_secs(3);
    let (strict, loose) = std::thread::scope(|s| {
        let strict = s.spawn(|| audit_on(short_lived(&[]), wait, Client::Basic, &ids));
        let loose = s.spawn(|| audit_on(short_lived(EXPIRY), wait, Client::Basic, &ids));
        (strict.join().unwrap(), loose.join().unwrap())
    });
    for id in &ids {
        let (s, l) = (strict.row(id).unwrap(), loose.row(id).unwrap());
        assert_eq!(
            s.finding.verdict,
            Verdict::Pass,
            "{id}: {}",
            s.finding.summary
        );
        assert_eq!(
            l.finding.verdict,
            Verdict::Info,
            "{id}: {}",
            l.finding.summary
        );
    }
    let code = strict.row("code-lifetime").unwrap();
    assert!(
        code.finding.summary.starts_with("a code ")
            && code.finding.summary.contains(" s old: refused"),
        "{}",
        code.finding.summary
    );
    let token = loose.row("expired-access-token").unwrap();
    assert!(
        token
            .finding
            .summary
            .contains(" s after expires_in (1 s) ran out"),
        "{}",
        token.finding.summary
    );
}

#[test]
fn every_check_has_a_misbehaviour_that_trips_it() {
    for check in AuditCheck::all() {
        assert!(
            CAUGHT.iter().any(|(id, ..)| *id == check.id())
                || WAITING.iter().any(|(id, _)| *id == check.id()),
            "{} is never shown failing: add a demo misbehaviour that breaks its rule",
            check.id()
        );
    }
}

/// oauthviz's own client checks: the state check stops a tampered or missing state.
#[test]
fn the_clients_own_state_check_catches_a_tampered_callback() {
    let server = demo(DemoOptions::default());
    let mut bench = Workbench::new(|| {}).unwrap();
    let run = bench.start(config(&server, Client::Basic), scripted());
    bench.wait_idle(run, WAIT, |_, _| {});
    let client_checks = [Experiment::TamperedState, Experiment::MissingState];
    bench.run_experiments(run, &client_checks);
    bench.wait_idle(run, WAIT, |_, _| {});
    let r = bench.run(run).unwrap();
    for e in client_checks {
        let j = Judged::latest(&r.findings, e).unwrap();
        assert_eq!(
            j.finding.verdict,
            Verdict::Pass,
            "{}: {}",
            e.id(),
            j.finding.summary
        );
        assert!(!j.attempts.is_empty());
    }
}
