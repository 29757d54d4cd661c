//! The URL a client used, for comparing against a DPoP proof's `htu`.
//!
//! RFC 9449 section 4.3 compares `htu` with the HTTP target URI of the request, without its
//! query and fragment. Behind a TLS-terminating proxy the server receives a different scheme,
//! host and often path than the client used, so [`UrlPolicy`] says where the public URL
//! comes from.
//!
//! # Behind nginx
//!
//! Set `AUTH0_TRUST_PROXY=true` (or [`UrlPolicy::TrustProxy`]) and have nginx describe the
//! public URL. `proxy_set_header` replaces any value the client sent under the same name, so
//! a client cannot choose what the API sees:
//!
//! ```nginx
//! location /api/ {
//!     proxy_pass http://127.0.0.1:8000/api/;
//!     proxy_set_header X-Forwarded-Proto $scheme;
//!     # $http_host keeps a non-default port; $host would drop it.
//!     proxy_set_header X-Forwarded-Host $http_host;
//! }
//! ```
//!
//! When nginx strips a path prefix (`location /orders/ { proxy_pass http://127.0.0.1:8000/; }`),
//! also send `proxy_set_header X-Forwarded-Prefix /orders;`. The standard `Forwarded` header
//! works too: `proxy_set_header Forwarded "proto=$scheme;host=\"$http_host\"";`.
//!
//! If the public URL is fixed, [`UrlPolicy::public_base_url`] (or `AUTH0_PUBLIC_BASE_URL`)
//! needs no proxy headers at all.

use std::str::FromStr;

use axum::extract::OriginalUri;
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{HeaderMap, header};
use url::Url;

use crate::config::ConfigError;

/// The environment variable that turns on [`UrlPolicy::TrustProxy`].
pub const TRUST_PROXY_VAR: &str = "AUTH0_TRUST_PROXY";
/// The environment variable that sets [`UrlPolicy::PublicBaseUrl`].
pub const PUBLIC_BASE_URL_VAR: &str = "AUTH0_PUBLIC_BASE_URL";

/// The longest URL, in bytes, that is parsed for an `htu` comparison.
const MAX_URL_BYTES: usize = 8 * 1024;

const X_FORWARDED_PROTO: &str = "x-forwarded-proto";
const X_FORWARDED_HOST: &str = "x-forwarded-host";
const X_FORWARDED_PREFIX: &str = "x-forwarded-prefix";

/// How the API determines the URL a client used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// The request's own scheme, `Host` and path; forwarding headers are ignored (default).
    ///
    /// The scheme is the one in the request target (HTTP/2 `:scheme`, or an absolute-form
    /// HTTP/1.1 target), otherwise `http`. A server that terminates TLS itself over HTTP/1.1
    /// cannot tell, so it should use [`UrlPolicy::public_base_url`].
    #[default]
    Direct,
    /// The API runs behind a trusted proxy: `Forwarded` (RFC 7239) and `X-Forwarded-Proto`,
    /// `X-Forwarded-Host` and `X-Forwarded-Prefix` describe the URL.
    ///
    /// For each part, the last element of `Forwarded` wins over the `X-Forwarded-*` header,
    /// which wins over the request's own value. When a header contains a comma-separated list
    /// (or appears on several lines), the right-most value is used. Proxies append to these
    /// lists, so the right-most value comes from the proxy nearest to this server, and values
    /// further left may have been written by the client. An invalid value makes every DPoP
    /// proof on that request fail its `htu` check.
    ///
    /// # Security
    ///
    /// Any client that reaches the API without passing the proxy can pick the URL that
    /// proofs are checked against. Use this only when the proxy is the sole way in and it
    /// sets or appends these headers.
    TrustProxy,
    /// A fixed public base URL: its scheme, host, port and path prefix replace the request's,
    /// and the request path is appended. Forwarding headers are ignored. Build it with
    /// [`UrlPolicy::public_base_url`].
    PublicBaseUrl(Url),
}

impl UrlPolicy {
    /// Reads `AUTH0_TRUST_PROXY` (default `false`) and `AUTH0_PUBLIC_BASE_URL` (default
    /// unset) through `lookup`.
    ///
    /// # Errors
    ///
    /// Returns [`ConfigError::Invalid`] naming the variable for a value that is not a boolean
    /// or not a base URL, or when both variables are set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let trust = crate::dpop::parse_bool(&lookup, TRUST_PROXY_VAR)?.unwrap_or(false);
        let base = lookup(PUBLIC_BASE_URL_VAR).filter(|value| !value.trim().is_empty());
        match (trust, base) {
            (true, Some(base)) => Err(ConfigError::Invalid {
                name: PUBLIC_BASE_URL_VAR,
                value: base,
                reason: "set either AUTH0_PUBLIC_BASE_URL or AUTH0_TRUST_PROXY=true, not both"
                    .into(),
            }),
            (true, None) => Ok(Self::TrustProxy),
            (false, Some(base)) => Self::public_base_url(&base),
            (false, None) => Ok(Self::Direct),
        }
    }

    /// Builds [`UrlPolicy::PublicBaseUrl`] from a URL such as `https://api.example.com` or
    /// `https://example.com/orders`.
    ///
    /// # Errors
    ///
    /// Returns [`ConfigError::Invalid`] for a value that is not an `http` or `https` URL, or
    /// that has a user name, query or fragment.
    pub fn public_base_url(base: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: &str| ConfigError::Invalid {
            name: PUBLIC_BASE_URL_VAR,
            value: base.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(base).map_err(|_| {
            invalid("write an absolute http or https URL, such as https://api.example.com")
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(invalid("the scheme must be http or https, with a host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("remove the user name and password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("remove the query and fragment"));
        }
        Ok(Self::PublicBaseUrl(url))
    }

    /// Returns the URL the client used for this request, normalized as [`normalize_url`]
    /// does, so it compares equal to a normalized `htu`.
    ///
    /// # Errors
    ///
    /// Returns [`RequestUrlError`] when the request has no usable host, or when a trusted
    /// forwarding header is invalid.
    pub fn request_url(&self, parts: &Parts) -> Result<String, RequestUrlError> {
        // `Router::nest` strips the prefix from `parts.uri`, and keeps the full URI here.
        let path = match parts.extensions.get::<OriginalUri>() {
            Some(OriginalUri(uri)) => uri.path(),
            None => parts.uri.path(),
        };
        let url = match self {
            Self::Direct => {
                let scheme = parts.uri.scheme_str().unwrap_or("http");
                format!("{scheme}://{}{path}", direct_host(parts)?)
            }
            Self::TrustProxy => proxied_url(parts, path)?,
            Self::PublicBaseUrl(base) => {
                let mut origin = base.clone();
                origin.set_path("");
                let prefix = base.path().trim_end_matches('/');
                format!("{}{prefix}{path}", origin.as_str().trim_end_matches('/'))
            }
        };
        if is_normal_form(&url) {
            return Ok(url);
        }
        normalize_by_parsing(&url).ok_or(RequestUrlError::Unparsable)
    }
}

/// A reason the request URL could not be determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestUrlError {
    /// The request has no `Host` header and no authority in its target, or more than one.
    #[error("the request has no single valid Host")]
    MissingHost,
    /// A trusted forwarding header has a value that is not a scheme, host or path prefix.
    #[error("the {header} header from the proxy is invalid")]
    InvalidForwardedHeader {
        /// The header's name.
        header: &'static str,
    },
    /// The reconstructed URL does not parse.
    #[error("the request URL is not a valid http or https URL")]
    Unparsable,
}

/// Normalizes an absolute `http` or `https` URL for comparison, and drops its query and
/// fragment. Returns `None` for anything else.
///
/// The rules are the syntax- and scheme-based normalization of RFC 3986 sections 6.2.2 and
/// 6.2.3. Scheme and host become lower case, a default port and dot segments are removed,
/// and an empty path becomes `/`. Percent-encoded unreserved characters are decoded, and
/// other percent-encodings get upper-case hex digits. A `%` that does not start a
/// percent-encoded octet is taken literally and becomes `%25`. Parsing follows the WHATWG
/// URL standard (the `url` crate), which also percent-encodes characters that may not
/// appear in a path. A trailing slash is significant, and so is the scheme. Only visible
/// ASCII is accepted, and no user name or password. Normalizing a result again returns it
/// unchanged.
pub fn normalize_url(text: &str) -> Option<String> {
    if is_normal_form(text) {
        return Some(text.to_owned());
    }
    normalize_by_parsing(text)
}

/// Returns whether `text` is a URL that [`normalize_by_parsing`] would return unchanged,
/// judged from its characters alone. It accepts the common shape of an API's URL:
/// `http://` or `https://`, a lower-case host name or a dotted-quad IPv4 address, a port
/// other than the scheme's default, and a path of unreserved characters and `/` without
/// dot segments. Anything else returns `false` and is parsed, including a URL in normal
/// form of a rarer shape, such as one with a percent-encoding or an IPv6 address.
pub(crate) fn is_normal_form(text: &str) -> bool {
    let (rest, default_port) = if let Some(rest) = text.strip_prefix("https://") {
        (rest, "443")
    } else if let Some(rest) = text.strip_prefix("http://") {
        (rest, "80")
    } else {
        return false;
    };
    if text.len() > MAX_URL_BYTES {
        return false;
    }
    let Some(path_start) = rest.find('/') else {
        return false;
    };
    let (authority, path) = rest.split_at(path_start);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port
        && !is_plain_port(port, default_port)
    {
        return false;
    }
    is_plain_host(host) && is_plain_path(path)
}

/// Returns whether `port` is written as URL parsing would write it: decimal, without a
/// leading zero, at most 65535, and not the scheme's default, which parsing drops.
fn is_plain_port(port: &str, default_port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|byte| byte.is_ascii_digit())
        && !port.starts_with('0')
        && port.parse::<u32>().is_ok_and(|number| number <= 65_535)
        && port != default_port
}

/// Returns whether `host` is a lower-case ASCII host name or a dotted-quad IPv4 address in
/// the form URL parsing writes. A host whose last label starts with a digit is read as an
/// IPv4 address by the WHATWG URL standard (`127.1` becomes `127.0.0.1`), so it must be
/// four decimal numbers up to 255 without leading zeros. Punycode labels (`xn--`) are
/// decoded and checked by parsing, so they are left to it.
fn is_plain_host(host: &str) -> bool {
    let Some(last) = host.rsplit('.').next() else {
        return false;
    };
    if last.starts_with(|first: char| first.is_ascii_digit()) {
        let mut octets = 0;
        for octet in host.split('.') {
            let plain = !octet.is_empty()
                && octet.len() <= 3
                && octet.bytes().all(|byte| byte.is_ascii_digit())
                && (octet == "0" || !octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|number| number <= 255);
            if !plain {
                return false;
            }
            octets += 1;
        }
        return octets == 4;
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with("xn--")
            && label
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    })
}

/// Returns whether `path` starts with `/`, has only unreserved characters and `/`, and has
/// no `.` or `..` segment, which parsing would remove.
fn is_plain_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte))
        && path
            .split('/')
            .all(|segment| segment != "." && segment != "..")
}

/// Normalizes `text` through the WHATWG URL parser and [`normalize_percent_encoding`]:
/// the general case of [`normalize_url`].
pub(crate) fn normalize_by_parsing(text: &str) -> Option<String> {
    if text.len() > MAX_URL_BYTES || !text.bytes().all(|byte| byte.is_ascii_graphic()) {
        return None;
    }
    let scheme_end = text.find("://")?;
    if !matches!(
        text[..scheme_end].to_ascii_lowercase().as_str(),
        "http" | "https"
    ) {
        return None;
    }
    let mut url = Url::parse(text).ok()?;
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = normalize_percent_encoding(url.path());
    url.set_path(&path);
    Some(url.into())
}

/// Decodes percent-encoded unreserved characters, upper-cases the hex digits of the rest,
/// and encodes a `%` that does not start a percent-encoded octet as `%25`. Left alone, such a
/// `%` could form a new octet with the characters after it, and the result would change
/// when normalized again.
fn normalize_percent_encoding(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let hex = bytes.get(index + 1..index + 3);
        match (byte, hex) {
            (b'%', Some(&[high, low])) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                let decoded = hex_value(high) << 4 | hex_value(low);
                if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) {
                    out.push(char::from(decoded));
                } else {
                    out.push('%');
                    out.push(char::from(high.to_ascii_uppercase()));
                    out.push(char::from(low.to_ascii_uppercase()));
                }
                index += 3;
            }
            (b'%', _) => {
                out.push_str("%25");
                index += 1;
            }
            _ => {
                out.push(char::from(byte));
                index += 1;
            }
        }
    }
    out
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// Returns the authority of the request target (HTTP/2, absolute-form), else the single
/// `Host` header.
fn direct_host(parts: &Parts) -> Result<String, RequestUrlError> {
    if let Some(authority) = parts.uri.authority() {
        return Ok(authority.as_str().to_owned());
    }
    let mut hosts = parts.headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Err(RequestUrlError::MissingHost);
    };
    host.to_str()
        .ok()
        .and_then(valid_host)
        .ok_or(RequestUrlError::MissingHost)
}

fn proxied_url(parts: &Parts, path: &str) -> Result<String, RequestUrlError> {
    let forwarded = last_forwarded_element(&parts.headers)?;
    let pair = |name: &str| {
        forwarded
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };

    let scheme = match pair("proto") {
        Some(proto) => valid_scheme(proto).ok_or(invalid_header("Forwarded"))?,
        None => match right_most(&parts.headers, X_FORWARDED_PROTO) {
            Some(proto) => valid_scheme(&proto).ok_or(invalid_header("X-Forwarded-Proto"))?,
            None => parts.uri.scheme_str().unwrap_or("http").to_owned(),
        },
    };
    let host = match pair("host") {
        Some(host) => valid_host(host).ok_or(invalid_header("Forwarded"))?,
        None => match right_most(&parts.headers, X_FORWARDED_HOST) {
            Some(host) => valid_host(&host).ok_or(invalid_header("X-Forwarded-Host"))?,
            None => direct_host(parts)?,
        },
    };
    let prefix = match right_most(&parts.headers, X_FORWARDED_PREFIX) {
        Some(prefix) => valid_prefix(&prefix)
            .ok_or(invalid_header("X-Forwarded-Prefix"))?
            .to_owned(),
        None => String::new(),
    };
    Ok(format!("{scheme}://{host}{prefix}{path}"))
}

fn invalid_header(header: &'static str) -> RequestUrlError {
    RequestUrlError::InvalidForwardedHeader { header }
}

fn valid_scheme(proto: &str) -> Option<String> {
    let proto = proto.to_ascii_lowercase();
    matches!(proto.as_str(), "http" | "https").then_some(proto)
}

/// Accepts `host` or `host:port`, with no user name or path.
fn valid_host(host: &str) -> Option<String> {
    let authority = Authority::from_str(host).ok()?;
    if authority.as_str().contains('@') || authority.host().is_empty() {
        return None;
    }
    Some(authority.as_str().to_owned())
}

/// Accepts an absolute path such as `/orders` and returns it without a trailing slash.
fn valid_prefix(prefix: &str) -> Option<&str> {
    let valid = prefix.starts_with('/')
        && prefix
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'?' && byte != b'#');
    valid.then(|| prefix.trim_end_matches('/'))
}

/// Returns the right-most value of a comma-separated header that may appear on several
/// lines. A value that is not visible ASCII counts as an empty one, which is invalid.
fn right_most(headers: &HeaderMap, name: &str) -> Option<String> {
    let last_line = headers.get_all(name).iter().next_back()?;
    let text = last_line.to_str().unwrap_or("");
    Some(text.rsplit(',').next().unwrap_or("").trim().to_owned())
}

/// Returns the `name=value` pairs of the last element of the `Forwarded` header
/// (RFC 7239 section 4), with quoted values unquoted. Empty when the header is absent.
fn last_forwarded_element(headers: &HeaderMap) -> Result<Vec<(String, String)>, RequestUrlError> {
    let Some(line) = headers.get_all(header::FORWARDED).iter().next_back() else {
        return Ok(Vec::new());
    };
    let text = line.to_str().map_err(|_| invalid_header("Forwarded"))?;
    let elements = split_outside_quotes(text, ',');
    let last = elements.last().map(String::as_str).unwrap_or("");
    let pairs = split_outside_quotes(last, ';')
        .iter()
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_owned(), unquote(value.trim())))
        })
        .collect();
    Ok(pairs)
}

/// Splits at `separator` where it is not inside a quoted string, handling `\` escapes.
fn split_outside_quotes(text: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for character in text.chars() {
        if escaped {
            escaped = false;
        } else if quoted && character == '\\' {
            escaped = true;
        } else if character == '"' {
            quoted = !quoted;
        } else if !quoted && character == separator {
            parts.push(std::mem::take(&mut current));
            continue;
        }
        current.push(character);
    }
    parts.push(current);
    parts
}

fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for character in inner.chars() {
        if !escaped && character == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(character);
    }
    out
}

#[cfg(test)]
mod tests {
    use axum::http::{Request, Uri};

    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    /// Returns whether the character check accepts `url`, after asserting that the parser
    /// then returns it unchanged.
    fn check_agrees_with_parser(url: &str) -> bool {
        let accepted = is_normal_form(url);
        if accepted {
            assert_eq!(
                normalize_by_parsing(url).as_deref(),
                Some(url),
                "{url:?} passed the check but parsing changed it"
            );
        }
        accepted
    }

    /// Every URL built from these parts that the character check accepts must come out of
    /// the parser unchanged.
    #[test]
    fn normal_form_check_agrees_with_parser() {
        let schemes = ["http://", "https://", "HTTP://", "ftp://"];
        let hosts = [
            "127.0.0.1",
            "10.0.0.255",
            "127.1",
            "0x7f.0.0.1",
            "127.0.0.01",
            "256.0.0.1",
            "1.2.3.4.5",
            "0.0.0.0",
            "api.example.com",
            "API.example.com",
            "localhost",
            "a-b.example",
            "-a.example",
            "xn--bcher-kva.example",
            "example.com.",
            "a..b",
            "",
            "example.1a",
            "1a.example",
            "[::1]",
            "user@example.com",
            "ex ample.com",
        ];
        let ports = [
            "", ":8080", ":80", ":443", ":0", ":080", ":65535", ":65536", ":", ":1x",
        ];
        let paths = [
            "/",
            "/api/private",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/.",
            "/..",
            "/...",
            "/~user",
            "/a%2Fb",
            "/a%7e",
            "/a?x=1",
            "/a#f",
            "",
            "/a b",
            "/a\\b",
            "/A_b-c.d",
        ];
        let mut accepted = 0;
        for scheme in schemes {
            for host in hosts {
                for port in ports {
                    for path in paths {
                        let url = format!("{scheme}{host}{port}{path}");
                        if check_agrees_with_parser(&url) {
                            accepted += 1;
                        }
                    }
                }
            }
        }
        assert!(accepted > 100, "only {accepted} URLs passed the check");
    }

    /// Builds random URLs from pieces near the edges of the character check and of WHATWG
    /// host, port and path parsing. Every URL the check accepts must parse to itself.
    #[test]
    fn random_urls_agree_with_parser() {
        let long_label = "a".repeat(63);
        let longer_label = "b".repeat(64);
        let huge_label = "c".repeat(300);
        let labels = [
            "a",
            "z",
            "api",
            "example",
            "com",
            "0",
            "1",
            "00",
            "01",
            "007",
            "08",
            "9",
            "255",
            "256",
            "999",
            "4294967295",
            "4294967296",
            "0x",
            "0x1",
            "0xff",
            "0X1",
            "1a",
            "a1",
            "-",
            "--",
            "-a",
            "a-",
            "a--b",
            "ab--c",
            "xn--",
            "xn--a",
            "xn--bcher-kva",
            "xn-a",
            "xn",
            "axn--b",
            "localhost",
            "e",
            "f",
            "ff",
            "0e1",
            "1e3",
            "x",
            "ss",
            "xx--y",
            &long_label,
            &longer_label,
            &huge_label,
        ];
        let ports = [
            "", "", "", ":1", ":80", ":443", ":8080", ":65535", ":65536", ":0", ":00", ":99999",
        ];
        let segments = [
            "",
            "a",
            "A",
            "~",
            "~a",
            ".",
            "..",
            "...",
            ".a",
            "a.",
            "-",
            "_",
            "a_b",
            "Z9",
            "index.html",
            "..a",
            "a..",
        ];

        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |bound: usize| {
            // SplitMix64, so the sequence and any failure repeat from run to run.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % bound as u64) as usize
        };

        let mut accepted = 0;
        let cases = 300_000;
        for _ in 0..cases {
            let mut url = String::from(["http://", "https://"][next(2)]);
            let label_count = 1 + next(5);
            for index in 0..label_count {
                if index > 0 {
                    url.push('.');
                }
                url.push_str(labels[next(labels.len())]);
            }
            url.push_str(ports[next(ports.len())]);
            let segment_count = 1 + next(4);
            for _ in 0..segment_count {
                url.push('/');
                url.push_str(segments[next(segments.len())]);
            }

            if check_agrees_with_parser(&url) {
                accepted += 1;
            }
        }

        assert!(
            accepted > cases / 10,
            "only {accepted} of {cases} URLs passed the check"
        );
    }

    #[test]
    fn lookalikes_are_parsed() {
        let cases = [
            ("http://127.1/a", "http://127.0.0.1/a"),
            ("http://127.0.0.01/a", "http://127.0.0.1/a"),
            ("http://example.com:080/a", "http://example.com/a"),
            ("https://example.com:443/a", "https://example.com/a"),
            ("http://example.com/a/./b", "http://example.com/a/b"),
            ("http://Example.com/a", "http://example.com/a"),
        ];
        for (input, expected) in cases {
            assert!(!is_normal_form(input), "{input}");
            assert_eq!(normalize_url(input).as_deref(), Some(expected), "{input}");
        }
        assert!(is_normal_form("http://127.0.0.1:18441/api/private"));
        assert!(is_normal_form("https://api.example.com/orders/"));
    }

    #[test]
    fn normalize_applies_rfc3986_rules() {
        let cases = [
            ("HTTPS://API.Example.COM:443/a", "https://api.example.com/a"),
            ("http://example.com:80", "http://example.com/"),
            ("https://example.com:8443/a", "https://example.com:8443/a"),
            (
                "https://example.com/%7euser/%2f",
                "https://example.com/~user/%2F",
            ),
            ("https://example.com/a/./b/../c", "https://example.com/a/c"),
            ("https://example.com/a?x=1#frag", "https://example.com/a"),
            ("https://example.com/a/", "https://example.com/a/"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_url(input).as_deref(), Some(expected), "{input}");
        }
    }

    #[test]
    fn normalize_encodes_stray_percent() {
        let cases = [
            ("https://a.example/a%", "https://a.example/a%25"),
            ("https://a.example/%x/%4", "https://a.example/%25x/%254"),
            ("https://a.example/%%%34%31", "https://a.example/%25%2541"),
            (
                "https://a.example/%%41eeucer",
                "https://a.example/%25Aeeucer",
            ),
            ("https://a.example/%25", "https://a.example/%25"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_url(input).as_deref(), Some(expected), "{input}");
        }
    }

    #[test]
    fn normalize_is_idempotent() {
        for input in [
            "https://a.example/%%%34%31",
            "https://a.example/%%41eeucer/%x",
            "HTTPS://A.example:443/%7e/%2f/%",
        ] {
            let once = normalize_url(input).unwrap();
            assert_eq!(
                normalize_url(&once).as_deref(),
                Some(once.as_str()),
                "{input}"
            );
        }
    }

    /// The input on which the `htu_normalizer` fuzz target found the stray-percent bug.
    #[test]
    fn public_base_url_path_in_normal_form() {
        let policy = UrlPolicy::public_base_url("https://api.example.com/orders").unwrap();
        let request = parts("12://API.Exa/%%41eeucer/%x", &[]);
        let url = policy.request_url(&request).unwrap();
        assert_eq!(url, "https://api.example.com/orders/%25Aeeucer/%25x");
        assert_eq!(normalize_url(&url).as_deref(), Some(url.as_str()));
    }

    #[test]
    fn normalize_rejects_other_urls() {
        for input in [
            "ftp://example.com/",
            "https:example.com/a",
            "/api/private",
            "https://user@example.com/",
            "https://example.com/a b",
            "https://exa\tmple.com/",
            "",
        ] {
            assert_eq!(normalize_url(input), None, "{input:?}");
        }
    }

    #[test]
    fn direct_ignores_forwarding_headers() {
        let request = parts(
            "/api/private?x=1",
            &[
                ("host", "127.0.0.1:8000"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "api.example.com"),
                ("forwarded", "proto=https;host=api.example.com"),
            ],
        );
        let url = UrlPolicy::Direct.request_url(&request).unwrap();
        assert_eq!(url, "http://127.0.0.1:8000/api/private");
    }

    #[test]
    fn direct_requires_one_host() {
        let none = parts("/a", &[]);
        assert_eq!(
            UrlPolicy::Direct.request_url(&none),
            Err(RequestUrlError::MissingHost)
        );
        let two = parts("/a", &[("host", "a.example"), ("host", "b.example")]);
        assert_eq!(
            UrlPolicy::Direct.request_url(&two),
            Err(RequestUrlError::MissingHost)
        );
    }

    #[test]
    fn direct_prefers_original_uri() {
        let mut request = parts("/private", &[("host", "localhost:8000")]);
        request
            .extensions
            .insert(OriginalUri(Uri::from_static("/api/private")));
        let url = UrlPolicy::Direct.request_url(&request).unwrap();
        assert_eq!(url, "http://localhost:8000/api/private");
    }

    #[test]
    fn proxy_uses_x_forwarded_headers() {
        let request = parts(
            "/private",
            &[
                ("host", "127.0.0.1:8000"),
                ("x-forwarded-proto", "HTTPS"),
                ("x-forwarded-host", "API.example.com:443"),
                ("x-forwarded-prefix", "/api/"),
            ],
        );
        let url = UrlPolicy::TrustProxy.request_url(&request).unwrap();
        assert_eq!(url, "https://api.example.com/api/private");
    }

    #[test]
    fn proxy_takes_right_most_values() {
        let request = parts(
            "/a",
            &[
                ("host", "127.0.0.1:8000"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "evil.example"),
                ("x-forwarded-host", "client.example, api.example.com"),
            ],
        );
        let url = UrlPolicy::TrustProxy.request_url(&request).unwrap();
        assert_eq!(url, "http://api.example.com/a");
    }

    #[test]
    fn proxy_prefers_forwarded() {
        let request = parts(
            "/a",
            &[
                ("host", "127.0.0.1:8000"),
                ("x-forwarded-proto", "http"),
                (
                    "forwarded",
                    "for=1.2.3.4;proto=http;host=evil.example, for=10.0.0.1;proto=https;host=\"api.example.com:8443\"",
                ),
            ],
        );
        let url = UrlPolicy::TrustProxy.request_url(&request).unwrap();
        assert_eq!(url, "https://api.example.com:8443/a");
    }

    #[test]
    fn proxy_rejects_invalid_values() {
        for (name, value) in [
            ("x-forwarded-proto", "ftp"),
            ("x-forwarded-proto", "https, "),
            ("x-forwarded-host", "user@api.example.com"),
            ("x-forwarded-host", "api.example.com/path"),
            ("x-forwarded-prefix", "api"),
            ("x-forwarded-prefix", "/api?x=1"),
            ("forwarded", "proto=gopher"),
        ] {
            let request = parts("/a", &[("host", "127.0.0.1"), (name, value)]);
            assert!(
                matches!(
                    UrlPolicy::TrustProxy.request_url(&request),
                    Err(RequestUrlError::InvalidForwardedHeader { .. })
                ),
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn public_base_url_replaces_origin() {
        let policy = UrlPolicy::public_base_url("https://Example.com/orders/").unwrap();
        let request = parts(
            "/items",
            &[("host", "127.0.0.1:8000"), ("x-forwarded-host", "evil")],
        );
        assert_eq!(
            policy.request_url(&request).unwrap(),
            "https://example.com/orders/items"
        );
        assert!(UrlPolicy::public_base_url("https://example.com/?x=1").is_err());
        assert!(UrlPolicy::public_base_url("example.com").is_err());
    }

    #[test]
    fn from_lookup_reads_variables() {
        let policy =
            UrlPolicy::from_lookup(|name| (name == TRUST_PROXY_VAR).then(|| "true".to_owned()));
        assert_eq!(policy, Ok(UrlPolicy::TrustProxy));
        let error = UrlPolicy::from_lookup(|name| match name {
            TRUST_PROXY_VAR => Some("yes".to_owned()),
            PUBLIC_BASE_URL_VAR => Some("https://api.example.com".to_owned()),
            _ => None,
        })
        .unwrap_err();
        assert!(error.to_string().contains(PUBLIC_BASE_URL_VAR), "{error}");
        let error =
            UrlPolicy::from_lookup(|name| (name == TRUST_PROXY_VAR).then(|| "maybe".to_owned()))
                .unwrap_err();
        assert!(error.to_string().contains(TRUST_PROXY_VAR), "{error}");
    }
}
