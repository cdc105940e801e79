//! The cookies Spiral sets, and how: HttpOnly and SameSite=Strict for the session and the
//! trusted-device token; `Secure` with the `__Host-` prefix (no Domain, Path=/, HTTPS only) when
//! the server is reached over HTTPS (`--public-url https://…`, or behind a TLS proxy).

use axum::http::{header, HeaderMap, HeaderValue};

/// How the server is reached, which decides the cookies' security attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

pub const SESSION: &str = "spiral_session";
pub const DEVICE: &str = "spiral_device";
/// The chosen language (not a secret: scripts may read it).
pub const LANG: &str = "spiral_lang";

impl CookiePolicy {
    /// The session cookie's name under this policy.
    pub fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-spiral_session"
        } else {
            SESSION
        }
    }

    pub fn device_name(self) -> &'static str {
        if self.secure {
            "__Host-spiral_device"
        } else {
            DEVICE
        }
    }

    fn set(self, name: &str, value: &str, max_age: i64, http_only: bool, same_site: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let http_only = if http_only { "; HttpOnly" } else { "" };
        // Tokens are hex and language codes are fixed ASCII: never anything a header refuses.
        HeaderValue::from_str(&format!(
            "{name}={value}{http_only}; SameSite={same_site}; Path=/; Max-Age={max_age}{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("spiral_invalid=; Max-Age=0"))
    }

    pub fn session(self, token: &str) -> HeaderValue {
        self.set(
            self.session_name(),
            token,
            crate::people::SESSION_HOURS * 3600,
            true,
            "Strict",
        )
    }

    pub fn cleared_session(self) -> HeaderValue {
        self.set(self.session_name(), "", 0, true, "Strict")
    }

    pub fn device(self, token: &str) -> HeaderValue {
        self.set(
            self.device_name(),
            token,
            crate::people::DEVICE_DAYS * 86_400,
            true,
            "Strict",
        )
    }

    pub fn lang(self, code: &str) -> HeaderValue {
        self.set(LANG, code, 31_536_000, false, "Lax")
    }

    /// The session token the request carries, under this policy's name.
    pub fn session_token(self, headers: &HeaderMap) -> Option<&str> {
        value(headers, self.session_name())
    }

    pub fn device_token(self, headers: &HeaderMap) -> Option<&str> {
        value(headers, self.device_name())
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_the_session_cookie_is_secure_and_host_only() {
        let secure = CookiePolicy { secure: true }.session("ab12");
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-spiral_session=ab12; HttpOnly; SameSite=Strict; Path=/"));
        assert!(secure.ends_with("; Secure"), "{secure}");
        let plain = CookiePolicy::default().session("ab12");
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }
}
