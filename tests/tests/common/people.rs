//! People for end-to-end tests: accounts made with the real CLI (password on stdin) and
//! sessions started through the real sign-in endpoint.
#![allow(dead_code)]

use super::http::post_json;
use super::{spiral, spiral_with_input, TestDb};

pub const PASSWORD: &str = "correct horse battery";
pub const ROLES: [&str; 4] = ["staff", "auditor", "reporter", "admin"];

/// Adds `name` with `role` and the shared test password.
pub fn add_user(db: &TestDb, name: &str, role: &str) {
    spiral_with_input(
        db,
        &["user", "add", name, "--role", role],
        &format!("{PASSWORD}\n"),
    )
    .ok();
}

/// `staff-user`, `auditor-user`, `reporter-user` and `admin-user`.
pub fn add_users(db: &TestDb) {
    for role in ROLES {
        add_user(db, &format!("{role}-user"), role);
    }
}

/// Signs in through `POST /api/login`; returns the session cookie's `name=value`.
pub fn sign_in(addr: &str, name: &str) -> String {
    let body = serde_json::json!({ "name": name, "password": PASSWORD }).to_string();
    let response = post_json(addr, "/api/login", None, &body);
    assert_eq!(response.status, 200, "sign-in of {name}: {}", response.text());
    let set_cookie = response.header("set-cookie").unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    response.cookie().unwrap()
}

/// The ledger as `spiral export` writes it: what "nothing changed" is checked against.
pub fn export(db: &TestDb) -> String {
    spiral(db, &["export"]).ok().stdout
}
