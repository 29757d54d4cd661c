//! Verifier configuration: from the environment, a `.env` file, or a builder.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use url::Url;

use crate::dpop::DpopConfig;
use crate::request_url::UrlPolicy;

/// The environment variable naming the Auth0 tenant's domain.
pub const DOMAIN_VAR: &str = "AUTH0_DOMAIN";
/// The environment variable naming the API identifier that tokens must be issued for.
pub const AUDIENCE_VAR: &str = "AUTH0_AUDIENCE";
/// The environment variable listing further trusted Auth0 domains, comma-separated.
pub const ADDITIONAL_DOMAINS_VAR: &str = "AUTH0_ADDITIONAL_DOMAINS";
/// The environment variable naming a non-Auth0 or local OpenID provider's base URL.
pub const ISSUER_BASE_URL_VAR: &str = "AUTH0_ISSUER_BASE_URL";

/// Settings for fetching and caching the issuer's JSON Web Key Set.
///
/// The defaults suit an API that talks to Auth0 over the internet.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwksSettings {
    /// The time budget of one discovery or key-set request, connection included. Default: 5 s.
    pub fetch_timeout: Duration,
    /// How long keys stay fresh when the response has no usable `Cache-Control`.
    /// Default: 10 minutes.
    pub default_ttl: Duration,
    /// The lower bound on a `Cache-Control: max-age` (also used for `no-cache`, `no-store`
    /// and `max-age=0`). Default: 30 s.
    pub min_ttl: Duration,
    /// The upper bound on a `Cache-Control: max-age`. Default: 24 hours.
    pub max_ttl: Duration,
    /// The minimum time between two fetches that were not due to the keys getting old: one
    /// after an unknown `kid`, or a retry after a failure. Default: 30 s.
    pub refresh_cooldown: Duration,
    /// How long past their freshness the last good keys are still used while the issuer
    /// cannot be reached. Past it, requests get 503 until a fetch succeeds. Default: 6 hours.
    pub max_stale: Duration,
    /// The largest key-set or discovery body accepted, in bytes. Default: 256 KiB.
    pub max_body_bytes: usize,
    /// The maximum number of keys in one key set. Default: 64.
    pub max_keys: usize,
}

impl Default for JwksSettings {
    fn default() -> Self {
        Self {
            fetch_timeout: Duration::from_secs(5),
            default_ttl: Duration::from_secs(600),
            min_ttl: Duration::from_secs(30),
            max_ttl: Duration::from_secs(24 * 3600),
            refresh_cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(6 * 3600),
            max_body_bytes: 256 * 1024,
            max_keys: 64,
        }
    }
}

/// A validated verifier configuration.
///
/// Build one with [`Config::from_env`] or [`Config::builder`]. Every value is checked when
/// the configuration is built, so a typo fails at start-up, not at the first request.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) issuer: String,
    pub(crate) discovery_url: Url,
    /// Further trusted issuers with their discovery URLs, such as a tenant's canonical
    /// domain beside its custom domain.
    pub(crate) additional_issuers: Vec<(String, Url)>,
    pub(crate) audience: String,
    pub(crate) leeway: Duration,
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) realm: String,
    pub(crate) max_token_bytes: usize,
    pub(crate) jwks: JwksSettings,
    pub(crate) dpop: DpopConfig,
    pub(crate) url_policy: UrlPolicy,
    pub(crate) extra_root_certificates: Vec<Vec<u8>>,
    pub(crate) token_cache_capacity: usize,
}

impl Config {
    /// Starts a configuration builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the configuration from the environment, after loading a `.env` file from the
    /// current directory or its parents when one exists. Variables already set in the
    /// environment win over the file.
    ///
    /// Reads `AUTH0_DOMAIN` or `AUTH0_ISSUER_BASE_URL`, and `AUTH0_AUDIENCE`, plus the DPoP
    /// and proxy variables listed on [`DpopConfig::from_lookup`] and
    /// [`UrlPolicy::from_lookup`].
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] that names the variable, shows its value and explains how to
    /// fix it.
    pub fn from_env() -> Result<Self, ConfigError> {
        load_dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` instead of the process environment, which
    /// lets tests and embedding applications supply the variables.
    ///
    /// # Errors
    ///
    /// As for [`Config::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut builder = Self::builder();
        if let Some(domain) = lookup(DOMAIN_VAR) {
            builder = builder.domain(domain);
        }
        if let Some(base) = lookup(ISSUER_BASE_URL_VAR) {
            builder = builder.issuer_base_url(base);
        }
        for domain in lookup(ADDITIONAL_DOMAINS_VAR)
            .iter()
            .flat_map(|list| list.split(','))
        {
            if !domain.trim().is_empty() {
                builder = builder.additional_domain(domain.trim());
            }
        }
        if let Some(audience) = lookup(AUDIENCE_VAR) {
            builder = builder.audience(audience);
        }
        builder = builder.dpop(DpopConfig::from_lookup(&lookup)?);
        builder = builder.url_policy(UrlPolicy::from_lookup(&lookup)?);
        builder.build()
    }

    /// Returns the issuer that tokens must name in `iss`, such as `https://tenant.auth0.com/`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Returns the audience that tokens must contain in `aud`.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Returns the OpenID discovery document URL that the keys are found through.
    pub fn discovery_url(&self) -> &Url {
        &self.discovery_url
    }

    /// Returns the DPoP settings.
    pub fn dpop(&self) -> &DpopConfig {
        &self.dpop
    }

    /// Returns how the request URL is determined for DPoP `htu` checks.
    pub fn url_policy(&self) -> &UrlPolicy {
        &self.url_policy
    }
}

fn load_dotenv() {
    match dotenvy::dotenv() {
        Ok(path) => tracing::debug!(path = %path.display(), "loaded environment file"),
        Err(error) if error.not_found() => {}
        Err(error) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "ignored unreadable .env file"
            )
        }
    }
}

/// A builder for [`Config`].
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    domain: Option<String>,
    issuer_base_url: Option<String>,
    /// Further issuers, each as `(domain, base URL)` with one of the two set.
    additional: Vec<(Option<String>, Option<String>)>,
    audience: Option<String>,
    leeway: Duration,
    algorithms: Vec<Algorithm>,
    realm: String,
    max_token_bytes: usize,
    jwks: JwksSettings,
    dpop: DpopConfig,
    url_policy: UrlPolicy,
    extra_root_certificates: Vec<Vec<u8>>,
    token_cache_capacity: usize,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            domain: None,
            issuer_base_url: None,
            additional: Vec::new(),
            audience: None,
            leeway: Duration::from_secs(30),
            algorithms: vec![Algorithm::RS256],
            realm: "api".to_owned(),
            max_token_bytes: 16 * 1024,
            jwks: JwksSettings::default(),
            dpop: DpopConfig::default(),
            url_policy: UrlPolicy::default(),
            extra_root_certificates: Vec::new(),
            token_cache_capacity: 16 * 1024,
        }
    }
}

impl ConfigBuilder {
    /// Sets the Auth0 tenant domain, such as `dev-abc123.us.auth0.com` or a custom domain.
    /// The issuer becomes `https://DOMAIN/`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets the base URL of a non-Auth0 or local OpenID provider, such as
    /// `http://127.0.0.1:3000/`. Plain `http` is accepted only for loopback hosts.
    pub fn issuer_base_url(mut self, url: impl Into<String>) -> Self {
        self.issuer_base_url = Some(url.into());
        self
    }

    /// Trusts a further Auth0 domain as issuer, for a tenant that issues tokens under both a
    /// custom domain and its canonical `*.auth0.com` domain. Each issuer's keys are fetched
    /// from its own discovery document and cached separately.
    pub fn additional_domain(mut self, domain: impl Into<String>) -> Self {
        self.additional.push((Some(domain.into()), None));
        self
    }

    /// Trusts a further issuer given by its base URL, as for
    /// [`ConfigBuilder::issuer_base_url`].
    pub fn additional_issuer_base_url(mut self, url: impl Into<String>) -> Self {
        self.additional.push((None, Some(url.into())));
        self
    }

    /// Sets the API identifier that tokens must contain in `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sets the clock leeway applied to `exp`, `nbf` and `iat`. Default: 30 s; at most 5
    /// minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the accepted signing algorithms. Default: `RS256` only, which is what Auth0
    /// signs with. Only asymmetric algorithms are accepted.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Sets the `realm` of the `Bearer` challenge. Default: `api`.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Sets the longest access token accepted, in bytes. Default: 16 KiB.
    pub fn max_token_bytes(mut self, max: usize) -> Self {
        self.max_token_bytes = max;
        self
    }

    /// Sets how keys are fetched and cached.
    pub fn jwks(mut self, settings: JwksSettings) -> Self {
        self.jwks = settings;
        self
    }

    /// Sets the DPoP mode and proof checks.
    pub fn dpop(mut self, dpop: DpopConfig) -> Self {
        self.dpop = dpop;
        self
    }

    /// Sets how the request URL is determined for DPoP `htu` checks.
    pub fn url_policy(mut self, policy: UrlPolicy) -> Self {
        self.url_policy = policy;
        self
    }

    /// Adds a PEM-encoded CA certificate trusted when fetching keys, for an issuer whose
    /// certificate chains to a private CA. `SSL_CERT_FILE` works too.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// Sets how many verified tokens are remembered so a repeated token skips the
    /// signature check. `0` turns the cache off. Default: 16,384.
    pub fn token_cache_capacity(mut self, capacity: usize) -> Self {
        self.token_cache_capacity = capacity;
        self
    }

    /// Validates the settings and builds the configuration.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] for a missing, empty or malformed value.
    pub fn build(self) -> Result<Config, ConfigError> {
        let audience = check_audience(self.audience.as_deref())?;
        let (issuer, discovery_url) =
            resolve_issuer(self.domain.as_deref(), self.issuer_base_url.as_deref())?;
        if let Some(domain) = self.domain.as_deref() {
            check_management_audience(domain, &audience)?;
        }
        if self.leeway > Duration::from_secs(300) {
            return Err(ConfigError::Invalid {
                name: "leeway",
                value: format!("{:?}", self.leeway),
                reason: "it must be at most 5 minutes".into(),
            });
        }
        let mut additional_issuers = Vec::new();
        for (domain, base_url) in &self.additional {
            let (extra, extra_discovery) = resolve_issuer(domain.as_deref(), base_url.as_deref())?;
            if extra != issuer && !additional_issuers.iter().any(|(known, _)| *known == extra) {
                additional_issuers.push((extra, extra_discovery));
            }
        }
        check_algorithms(&self.algorithms)?;
        if self.realm.is_empty() || !self.realm.bytes().all(is_quoted_string_byte) {
            return Err(ConfigError::Invalid {
                name: "realm",
                value: self.realm,
                reason: "it must be non-empty printable ASCII without `\"` or `\\`".into(),
            });
        }
        self.dpop.validate()?;

        Ok(Config {
            issuer,
            discovery_url,
            additional_issuers,
            audience,
            leeway: self.leeway,
            algorithms: self.algorithms,
            realm: self.realm,
            max_token_bytes: self.max_token_bytes,
            jwks: self.jwks,
            dpop: self.dpop,
            url_policy: self.url_policy,
            extra_root_certificates: self.extra_root_certificates,
            token_cache_capacity: self.token_cache_capacity,
        })
    }
}

/// A configuration value that is missing or invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required value is not set.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable or setting name.
        name: &'static str,
        /// The expected value.
        hint: &'static str,
    },
    /// A value is set but invalid.
    #[error("{name} is invalid ({value:?}): {reason}")]
    Invalid {
        /// The variable or setting name.
        name: &'static str,
        /// The value as given.
        value: String,
        /// The problem and its fix.
        reason: String,
    },
    /// `AUTH0_DOMAIN` and `AUTH0_ISSUER_BASE_URL` name different issuers.
    #[error(
        "AUTH0_DOMAIN ({domain:?}) and AUTH0_ISSUER_BASE_URL ({base_url:?}) name different issuers: set only one of them"
    )]
    ConflictingIssuer {
        /// The `AUTH0_DOMAIN` value.
        domain: String,
        /// The `AUTH0_ISSUER_BASE_URL` value.
        base_url: String,
    },
}

const DOMAIN_HINT: &str = "set it to your Auth0 tenant's domain, such as dev-abc123.us.auth0.com, in the environment or in .env";
const AUDIENCE_HINT: &str = "set it to your API's identifier from the Auth0 dashboard (APIs > your API > Identifier), such as https://my-api.example.com";

/// Rejects the placeholder values that a failed setup leaves behind.
fn check_present(name: &'static str, value: &str, hint: &'static str) -> Result<(), ConfigError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ConfigError::Missing { name, hint });
    }
    if matches!(trimmed, "null" | "undefined" | "None") {
        return Err(ConfigError::Invalid {
            name,
            value: value.to_owned(),
            reason: format!("this placeholder is what a failed setup writes; {hint}"),
        });
    }
    if trimmed != value {
        return Err(ConfigError::Invalid {
            name,
            value: value.to_owned(),
            reason: "remove the leading or trailing whitespace".into(),
        });
    }
    Ok(())
}

fn check_audience(audience: Option<&str>) -> Result<String, ConfigError> {
    let Some(audience) = audience else {
        return Err(ConfigError::Missing {
            name: AUDIENCE_VAR,
            hint: AUDIENCE_HINT,
        });
    };
    check_present(AUDIENCE_VAR, audience, AUDIENCE_HINT)?;
    if audience
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"')
    {
        return Err(ConfigError::Invalid {
            name: AUDIENCE_VAR,
            value: audience.to_owned(),
            reason: "an API identifier has no spaces, quotes or control characters".into(),
        });
    }
    if audience.len() > 600 {
        return Err(ConfigError::Invalid {
            name: AUDIENCE_VAR,
            value: audience.chars().take(40).collect::<String>() + "...",
            reason: "an API identifier is at most 600 characters".into(),
        });
    }
    Ok(audience.to_owned())
}

/// Rejects the Management API identifier, a common copy-and-paste mistake: tokens for it
/// are meant for Auth0's own API, not for this one.
fn check_management_audience(domain: &str, audience: &str) -> Result<(), ConfigError> {
    let host = domain.trim_start_matches("https://").trim_end_matches('/');
    if audience.eq_ignore_ascii_case(&format!("https://{host}/api/v2/")) {
        return Err(ConfigError::Invalid {
            name: AUDIENCE_VAR,
            value: audience.to_owned(),
            reason: "this is the Auth0 Management API; create an API for this service in the dashboard and use its identifier".into(),
        });
    }
    Ok(())
}

/// Returns the issuer (with its trailing slash) and the discovery URL.
fn resolve_issuer(
    domain: Option<&str>,
    base_url: Option<&str>,
) -> Result<(String, Url), ConfigError> {
    let from_domain = domain.map(normalize_domain).transpose()?;
    let from_base = base_url.map(normalize_base_url).transpose()?;
    let issuer = match (from_domain, from_base) {
        (Some(a), Some(b)) if a != b => {
            return Err(ConfigError::ConflictingIssuer {
                domain: domain.unwrap_or_default().to_owned(),
                base_url: base_url.unwrap_or_default().to_owned(),
            });
        }
        (Some(issuer), _) | (None, Some(issuer)) => issuer,
        (None, None) => {
            return Err(ConfigError::Missing {
                name: DOMAIN_VAR,
                hint: DOMAIN_HINT,
            });
        }
    };
    let discovery = format!("{issuer}.well-known/openid-configuration");
    let discovery_url = Url::parse(&discovery).map_err(|error| ConfigError::Invalid {
        name: DOMAIN_VAR,
        value: issuer.clone(),
        reason: format!("the discovery URL {discovery:?} is invalid: {error}"),
    })?;
    Ok((issuer, discovery_url))
}

/// Turns `AUTH0_DOMAIN` into the issuer `https://DOMAIN/`.
///
/// A value written as `https://host` or `https://host/` is accepted with a warning, because
/// people copy domains in both forms. Anything else with a scheme or a path is rejected, so
/// it cannot turn into a silent issuer mismatch at the first request.
fn normalize_domain(value: &str) -> Result<String, ConfigError> {
    check_present(DOMAIN_VAR, value, DOMAIN_HINT)?;
    let invalid = |reason: &str| ConfigError::Invalid {
        name: DOMAIN_VAR,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };

    let mut host = value;
    if let Some(rest) = strip_prefix_ignore_case(host, "https://") {
        host = rest.strip_suffix('/').unwrap_or(rest);
        tracing::warn!(
            domain = value,
            issuer = %format!("https://{}/", host.to_ascii_lowercase()),
            "AUTH0_DOMAIN should be a bare host; using it without the scheme"
        );
    } else if host.contains("://") {
        return Err(invalid(
            "Auth0 domains are served over https: write the bare host, such as dev-abc123.us.auth0.com, or use AUTH0_ISSUER_BASE_URL for a local provider",
        ));
    }
    if host.contains(['/', '?', '#', '@']) {
        return Err(invalid(
            "write only the host, such as dev-abc123.us.auth0.com, without a path, query or user name",
        ));
    }
    let url = Url::parse(&format!("https://{host}/"))
        .map_err(|error| invalid(&format!("it is not a valid host name: {error}")))?;
    let Some(parsed_host) = url.host_str() else {
        return Err(invalid("it has no host name"));
    };
    if parsed_host.is_empty() || !host.contains('.') && parsed_host != "localhost" {
        return Err(invalid(
            "it must be a full host name, such as dev-abc123.us.auth0.com",
        ));
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        tracing::warn!(
            domain = value,
            "AUTH0_DOMAIN has upper-case letters; using it in lower case"
        );
    }
    Ok(url.as_str().to_owned())
}

/// Turns `AUTH0_ISSUER_BASE_URL` into the issuer, keeping its path and adding a trailing
/// slash when it has none.
fn normalize_base_url(value: &str) -> Result<String, ConfigError> {
    const HINT: &str = "set it to the issuer's base URL, such as http://127.0.0.1:3000/";
    check_present(ISSUER_BASE_URL_VAR, value, HINT)?;
    let invalid = |reason: String| ConfigError::Invalid {
        name: ISSUER_BASE_URL_VAR,
        value: value.to_owned(),
        reason,
    };

    let mut url =
        Url::parse(value).map_err(|error| invalid(format!("it is not a URL: {error}; {HINT}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is accepted only for loopback hosts (127.0.0.1, [::1], localhost); use https".into(),
            ));
        }
        other => {
            return Err(invalid(format!(
                "the scheme {other:?} is not http or https"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(invalid("remove the query, fragment or user name".into()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url.as_str().to_owned())
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn check_algorithms(algorithms: &[Algorithm]) -> Result<(), ConfigError> {
    if algorithms.is_empty() {
        return Err(ConfigError::Invalid {
            name: "algorithms",
            value: String::new(),
            reason: "allow at least one algorithm, such as RS256".into(),
        });
    }
    for algorithm in algorithms {
        if matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(ConfigError::Invalid {
                name: "algorithms",
                value: format!("{algorithm:?}"),
                reason: "HMAC algorithms cannot be verified with a public key set; use RS256"
                    .into(),
            });
        }
    }
    Ok(())
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

fn is_quoted_string_byte(byte: u8) -> bool {
    (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    fn error_of(vars: &[(&str, &str)]) -> ConfigError {
        Config::from_lookup(lookup(vars)).expect_err("configuration should be rejected")
    }

    const AUD: (&str, &str) = (AUDIENCE_VAR, "https://api.example.com");

    #[test]
    fn domain_forms_give_one_issuer() {
        for domain in [
            "tenant.example.com",
            "https://tenant.example.com",
            "https://tenant.example.com/",
        ] {
            let config = Config::from_lookup(lookup(&[(DOMAIN_VAR, domain), AUD])).unwrap();
            assert_eq!(config.issuer(), "https://tenant.example.com/", "{domain}");
            assert_eq!(
                config.discovery_url().as_str(),
                "https://tenant.example.com/.well-known/openid-configuration",
                "{domain}"
            );
        }
    }

    #[test]
    fn missing_domain_names_variable() {
        let error = error_of(&[AUD]);
        assert_eq!(
            error,
            ConfigError::Missing {
                name: DOMAIN_VAR,
                hint: DOMAIN_HINT
            }
        );
        assert!(
            error
                .to_string()
                .starts_with("AUTH0_DOMAIN is not set: set it to")
        );
    }

    #[test]
    fn empty_and_null_values_rejected() {
        assert!(matches!(
            error_of(&[(DOMAIN_VAR, ""), AUD]),
            ConfigError::Missing {
                name: DOMAIN_VAR,
                ..
            }
        ));
        let error = error_of(&[(DOMAIN_VAR, "null"), AUD]);
        assert!(
            matches!(&error, ConfigError::Invalid { name: DOMAIN_VAR, value, .. } if value == "null")
        );
        let error = error_of(&[(DOMAIN_VAR, "tenant.example.com"), (AUDIENCE_VAR, "null")]);
        assert!(matches!(
            error,
            ConfigError::Invalid {
                name: AUDIENCE_VAR,
                ..
            }
        ));
        let error = error_of(&[(DOMAIN_VAR, "tenant.example.com")]);
        assert!(matches!(
            error,
            ConfigError::Missing {
                name: AUDIENCE_VAR,
                ..
            }
        ));
    }

    #[test]
    fn domain_with_path_or_http_rejected() {
        for domain in [
            "tenant.example.com/api",
            "https://tenant.example.com/api/v2/",
            "http://tenant.example.com",
            "ftp://tenant.example.com",
            "tenant",
            " tenant.example.com",
            "tenant.example.com?x=1",
        ] {
            let error = error_of(&[(DOMAIN_VAR, domain), AUD]);
            assert!(
                matches!(&error, ConfigError::Invalid { name: DOMAIN_VAR, value, .. } if value == domain),
                "{domain}: {error}"
            );
        }
    }

    #[test]
    fn domain_lowercased() {
        let config =
            Config::from_lookup(lookup(&[(DOMAIN_VAR, "Tenant.Example.COM"), AUD])).unwrap();
        assert_eq!(config.issuer(), "https://tenant.example.com/");
    }

    #[test]
    fn audience_with_space_rejected() {
        let error = error_of(&[(DOMAIN_VAR, "tenant.example.com"), (AUDIENCE_VAR, "my api")]);
        assert!(
            error
                .to_string()
                .contains("AUTH0_AUDIENCE is invalid (\"my api\")"),
            "{error}"
        );
    }

    #[test]
    fn management_audience_rejected() {
        let error = error_of(&[
            (DOMAIN_VAR, "tenant.example.com"),
            (AUDIENCE_VAR, "https://tenant.example.com/api/v2/"),
        ]);
        assert!(error.to_string().contains("Management API"), "{error}");
    }

    #[test]
    fn base_url_loopback_http_accepted() {
        let config = Config::from_lookup(lookup(&[
            (ISSUER_BASE_URL_VAR, "http://127.0.0.1:3000"),
            AUD,
        ]))
        .unwrap();
        assert_eq!(config.issuer(), "http://127.0.0.1:3000/");
        assert_eq!(
            config.discovery_url().as_str(),
            "http://127.0.0.1:3000/.well-known/openid-configuration"
        );
    }

    #[test]
    fn base_url_remote_http_rejected() {
        let error = error_of(&[(ISSUER_BASE_URL_VAR, "http://issuer.example.com/"), AUD]);
        assert!(error.to_string().contains("only for loopback"), "{error}");
    }

    #[test]
    fn conflicting_issuers_rejected() {
        let error = error_of(&[
            (DOMAIN_VAR, "tenant.example.com"),
            (ISSUER_BASE_URL_VAR, "https://other.example.com/"),
            AUD,
        ]);
        assert!(matches!(error, ConfigError::ConflictingIssuer { .. }));
        let same = Config::from_lookup(lookup(&[
            (DOMAIN_VAR, "tenant.example.com"),
            (ISSUER_BASE_URL_VAR, "https://tenant.example.com"),
            AUD,
        ]));
        assert!(same.is_ok());
    }

    #[test]
    fn additional_domain_is_a_second_issuer() {
        let config = Config::builder()
            .domain("login.example.com")
            .additional_domain("https://tenant.eu.auth0.com/")
            .additional_domain("login.example.com")
            .audience("https://api.example.com")
            .build()
            .unwrap();
        assert_eq!(config.issuer(), "https://login.example.com/");
        let extra: Vec<&str> = config
            .additional_issuers
            .iter()
            .map(|(iss, _)| iss.as_str())
            .collect();
        assert_eq!(extra, ["https://tenant.eu.auth0.com/"]);
        assert_eq!(
            config.additional_issuers[0].1.as_str(),
            "https://tenant.eu.auth0.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn hmac_algorithms_rejected() {
        let error = Config::builder()
            .domain("tenant.example.com")
            .audience("https://api.example.com")
            .algorithms([Algorithm::HS256])
            .build()
            .unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Invalid {
                name: "algorithms",
                ..
            }
        ));
    }
}
