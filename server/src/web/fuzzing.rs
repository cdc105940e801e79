//! Entry points for the fuzz targets of the server's own request inputs (`fuzz/fuzz_targets/
//! request_*.rs`). Each decodes one kind of input with the extractor and the checks its handler
//! uses, with no database or network in the way, so libFuzzer can try millions of inputs; and
//! each asserts what must hold of whatever gets through. A panic here is a panic a request
//! could reach.
//!
//! The domain's decoders (commands, stored events, export lines, checkpoints, proofs) have their
//! own targets; these cover what only the web layer reads: sign-in bodies and forms, the other
//! JSON bodies, query strings, path segments, headers and cookies.

use super::api::{
    self, ActivityQuery, CertificateQuery, ChunkQuery, ConsistencyQuery, FunderQuery, FundingQuery,
    IssueBody, LogQuery, NewUser, PasswordReset, PstQuery, ReasonBody, StateQuery, TrackRecordQuery,
};
use super::auth::{self, Login, NewPassword};
use super::cookies::{self, CookiePolicy};
use super::limiter::LoginLimiter;
use super::pages::{self, Next, RecordQuery, SignIn};
use super::stream::{self, StreamQuery};
use axum::body::Body;
use axum::extract::{Form, FromRequest, Query, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Uri};
use axum::Json;
use futures_util::FutureExt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A request with `body` under `content_type`, for the body extractors.
fn request(content_type: &str, body: &[u8]) -> Request {
    Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_vec()))
        .expect("a fixed method, path and content type make a request")
}

/// Runs an extractor whose body is already in memory: it never waits, so it is ready at once.
fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    future
        .now_or_never()
        .expect("an extractor of an in-memory body is ready at once")
}

/// What may be returned to after a sign-in or a language switch: this site's paths only.
fn assert_local(next: Option<&str>) {
    let path = pages::local_path(next);
    assert!(path.starts_with('/') && !path.starts_with("//"), "{path:?}");
    assert!(
        !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control()),
        "{path:?}"
    );
    assert!(path == "/" || Some(path) == next);
}

/// One limiter for every input of a fuzzing run, so that millions of names meet its bound.
static LIMITER: std::sync::OnceLock<Arc<LoginLimiter>> = std::sync::OnceLock::new();

/// A name as sign-in takes it: refused unless valid, and the limiter stays bounded whatever
/// names it is sent.
fn sign_in_name(name: &str) {
    let limiter = LIMITER.get_or_init(Arc::default);
    if !crate::people::valid_name(name) {
        return;
    }
    assert!(name.len() <= 4 * crate::people::MAX_NAME);
    let address = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, name.len() as u8)));
    if let Ok(ticket) = limiter.begin(name, address, false) {
        ticket.finish(false);
    }
    let (names, addresses) = limiter.tracked();
    assert!(names <= super::limiter::MAX_TRACKED && addresses <= super::limiter::MAX_TRACKED);
}

/// `POST /api/login` (JSON) and `POST /login` (the form): the body as sent.
pub fn sign_in(data: &[u8]) {
    if let Ok(Json(login)) = ready(Json::<Login>::from_request(
        request("application/json", data),
        &(),
    )) {
        sign_in_name(&login.name);
    }
    if let Ok(Form(form)) = ready(Form::<SignIn>::from_request(
        request("application/x-www-form-urlencoded", data),
        &(),
    )) {
        sign_in_name(&form.name);
        assert_local(form.next.as_deref());
    }
}

/// The other bodies: a command (JSON and postcard, as `POST /api/commands` reads them), a new
/// person, a password reset and a password change, the certificate bodies, and the receipts
/// and donors' desks' forms.
pub fn bodies(data: &[u8]) {
    let _ = ready(api::read_submit(request("application/json", data)));
    let _ = ready(api::read_submit(request(api::POSTCARD, data)));
    if let Ok(Json(new)) = ready(Json::<NewUser>::from_request(
        request("application/json", data),
        &(),
    )) {
        let _ = crate::people::valid_name(&new.name);
    }
    let _ = ready(Json::<PasswordReset>::from_request(
        request("application/json", data),
        &(),
    ));
    let _ = ready(Json::<NewPassword>::from_request(
        request("application/json", data),
        &(),
    ));
    let _ = ready(Json::<IssueBody>::from_request(
        request("application/json", data),
        &(),
    ));
    let _ = ready(Json::<ReasonBody>::from_request(
        request("application/json", data),
        &(),
    ));
    // The receipts desk's forms (`POST /receipts`).
    if let Ok(Form(form)) = ready(Form::<super::receipts_desk::DeskForm>::from_request(
        request("application/x-www-form-urlencoded", data),
        &(),
    )) {
        let number = form.number.as_deref();
        if let Some(Ok(parsed)) = number.map(str::parse::<domain::certificate::CertificateNo>) {
            assert_eq!(Some(parsed.to_string().as_str()), number);
        }
    }
    // The donors' desk's forms (`POST /donors`, `POST /donors/{id}`).
    if let Ok(Form(form)) = ready(Form::<super::donors_desk::DeskForm>::from_request(
        request("application/x-www-form-urlencoded", data),
        &(),
    )) {
        form.read_every_field();
    }
    // The gift upload's file (`POST /imports/gifts`, multipart), field by field as the page
    // reads it. (What the file holds is the `gift_csv` target's.)
    if let Some(Ok(mut parts)) =
        axum::extract::Multipart::from_request(request("multipart/form-data; boundary=spiral", data), &())
            .now_or_never()
    {
        while let Some(Ok(Some(field))) = parts.next_field().now_or_never() {
            let _ = (field.name().map(str::len), field.file_name().map(str::len));
            if field.bytes().now_or_never().is_none() {
                break;
            }
        }
    }
    // The gift upload's confirmation (`POST /imports/gifts`, a form).
    let _ = ready(Form::<super::gift_upload::Confirm>::from_request(
        request("application/x-www-form-urlencoded", data),
        &(),
    ));
    // The NPO's profile form (`POST /organisation`).
    if let Ok(Form(form)) = ready(Form::<super::profile_desk::ProfileForm>::from_request(
        request("application/x-www-form-urlencoded", data),
        &(),
    )) {
        for lang in [app::i18n::Lang::Ja, app::i18n::Lang::En] {
            let _ = form.read(lang, crate::vault::today());
        }
    }
}

/// Every query string a handler reads, with the checks that follow its decoding.
pub fn query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = format!("/api/x?{text}").parse::<Uri>() else {
        return;
    };
    let _ = Query::<FundingQuery>::try_from_uri(&uri);
    let _ = Query::<TrackRecordQuery>::try_from_uri(&uri);
    let _ = Query::<FunderQuery>::try_from_uri(&uri);
    let _ = Query::<ActivityQuery>::try_from_uri(&uri);
    if let Ok(Query(q)) = Query::<PstQuery>::try_from_uri(&uri) {
        // Its length and order are the PST's to judge (domain::report::pst); what parses names
        // two years in range, and names them again the same way.
        if let Ok((from, to)) = domain::fiscal_year::parse_period(&q.period) {
            let again = format!("{}-{}", from.year(), to.year());
            assert_eq!(domain::fiscal_year::parse_period(&again), Ok((from, to)));
        }
    }
    if let Ok(Query(q)) = Query::<LogQuery>::try_from_uri(&uri) {
        if let Ok(limit) = q.limit() {
            assert!((1..=api::MAX_PAGE).contains(&limit));
        }
        if let Ok(after) = api::position("after", q.after) {
            assert!(after <= api::MAX_POSITION);
        }
    }
    let _ = Query::<ChunkQuery>::try_from_uri(&uri);
    let _ = Query::<CertificateQuery>::try_from_uri(&uri);
    let _ = Query::<super::print::CertificatesQuery>::try_from_uri(&uri);
    let _ = Query::<super::receipts_desk::DeskQuery>::try_from_uri(&uri);
    if let Ok(Query(q)) = Query::<super::pst_page::PstPageQuery>::try_from_uri(&uri) {
        let _ = q.period.as_deref().map(domain::fiscal_year::parse_period);
        let _ = q.known_at.as_deref().map(super::pst_page::known_at);
        // A tick is on unless it says `false`; what the page asked for goes to the API as such.
        let options = q.options();
        let _ = (options.supporting_dues_as_donations, options.add_member_dues);
    }
    if let Ok(Query(q)) = Query::<super::report_pages::ReportPageQuery>::try_from_uri(&uri) {
        for lang in [app::i18n::Lang::Ja, app::i18n::Lang::En] {
            let asked = q.read(lang);
            if let Ok(Some(at)) = asked.known_at {
                // What the links to the API carry reads back as the same time (RFC 3339 has
                // four-digit years).
                if (1..=9999).contains(&chrono::Datelike::year(&at)) {
                    let text = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
                    assert_eq!(super::pst_page::known_at(&text), Some(at), "{text}");
                }
            }
            let _ = (asked.fiscal_year, asked.from, asked.to, asked.pillar);
        }
    }
    if let Ok(Query(q)) = Query::<super::donors_desk::SearchQuery>::try_from_uri(&uri) {
        let _ = q.q.as_deref().and_then(domain::donor_search::DonorQuery::parse);
    }
    let _ = Query::<ConsistencyQuery>::try_from_uri(&uri);
    let _ = Query::<StateQuery>::try_from_uri(&uri);
    if let Ok(Query(q)) = Query::<StreamQuery>::try_from_uri(&uri) {
        if let Ok(after) = stream::resume_after(&HeaderMap::new(), q) {
            assert!(after <= api::MAX_POSITION);
        }
    }
    if let Ok(Query(q)) = Query::<RecordQuery>::try_from_uri(&uri) {
        let _ = q.amend();
    }
    if let Ok(Query(q)) = Query::<Next>::try_from_uri(&uri) {
        assert_local(q.next.as_deref());
    }
}

/// Path segments: a position, a chain hash, a subject's stream, a certificate's number, a
/// person's name, a language.
pub fn path(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = text.parse::<u64>() {
        if let Ok(position) = api::position("position", n) {
            assert!(position <= api::MAX_POSITION);
        }
    }
    if let Ok(hash) = api::parse_hash(text) {
        assert_eq!(hex::encode(hash), text.to_ascii_lowercase());
    }
    if let Some(subject) = domain::events::SubjectRef::from_stream(text) {
        assert_eq!(subject.stream(), text);
    }
    if let Ok(number) = text.parse::<domain::certificate::CertificateNo>() {
        assert_eq!(
            number.to_string(),
            text,
            "a certificate number reads back as written"
        );
    }
    let _ = crate::people::valid_name(text);
    let _ = app::i18n::Lang::parse(text);
}

/// The headers a handler reads: cookies (session, trusted device, language), the
/// `Idempotency-Key`, `Last-Event-ID`, `Accept`, `Origin` and `Host`, and `X-Forwarded-For`.
/// Lines of `data` are the values in that order.
pub fn headers(data: &[u8]) {
    const NAMES: [HeaderName; 7] = [
        header::COOKIE,
        HeaderName::from_static(api::IDEMPOTENCY_KEY),
        HeaderName::from_static("last-event-id"),
        header::ACCEPT,
        header::ORIGIN,
        header::HOST,
        HeaderName::from_static("x-forwarded-for"),
    ];
    let mut headers = HeaderMap::new();
    for (name, value) in NAMES.iter().zip(data.split(|&b| b == b'\n')) {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name.clone(), value);
        }
    }
    for secure in [false, true] {
        let policy = CookiePolicy { secure };
        if let Some(token) = policy.session_token(&headers) {
            assert!(!token.contains(';'), "{token:?}");
        }
        let _ = policy.device_token(&headers);
    }
    let _ = cookies::value(&headers, cookies::LANG);
    let _ = pages::lang_of(&headers);
    if let Ok(Some(key)) = api::command_key(&headers) {
        assert!((1..=128).contains(&key.len()));
    }
    if let Ok(after) = stream::resume_after(&headers, StreamQuery::default()) {
        assert!(after <= api::MAX_POSITION);
    }
    let _ = api::accepts(&headers, api::POSTCARD);
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = origin {
        let _ = auth::origin_allowed(origin, None, host);
        if auth::origin_allowed(origin, Some("https://spiral.example.org"), host) {
            assert_eq!(origin, "https://spiral.example.org");
        }
    }
    let peer = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(auth::forwarded_address(&headers, peer, false), peer);
    let _ = auth::forwarded_address(&headers, peer, true);
}
