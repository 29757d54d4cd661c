//! The `dpop-proof` subcommand: prints a DPoP proof, because curl cannot sign one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use auth0_runtime::dev::DpopKey;

pub(crate) const USAGE: &str = "\
usage: example-api dpop-proof --method METHOD --url URL [--token TOKEN] [--nonce NONCE] [--key-file FILE] [--count N]

Prints a DPoP proof (RFC 9449) for one request, to send in its DPoP header. A proof is
valid once, so make a new one for every request.

  --method METHOD   the request method, such as GET or POST (case-sensitive)
  --url URL         the request URL; the query and fragment are left out of the proof
  --token TOKEN     the access token the request carries (sets the proof's ath claim)
  --nonce NONCE     the nonce from the API's DPoP-Nonce header, when it asks for one
  --key-file FILE   the client's private key as a JWK; created with a new P-256 key when
                    the file does not exist. Without it, a new key is used for this proof
                    only, which no token is bound to.
  --count N         print N proofs for the same request, one per line, each with its own
                    jti (default 1). Load tests need a new proof for every request.";

/// The options of one `dpop-proof` call.
#[derive(Debug, Default)]
struct ProofOptions {
    method: Option<String>,
    url: Option<String>,
    token: Option<String>,
    nonce: Option<String>,
    key_file: Option<PathBuf>,
    count: Option<String>,
}

/// Parses `args` (after `dpop-proof`), prints the proof, and returns an error message for
/// the user on failure.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let method = options.method.ok_or("--method is required")?;
    let url = options.url.ok_or("--url is required")?;
    let count = match &options.count {
        None => 1,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|count| *count > 0)
            .ok_or_else(|| {
                format!("--count is invalid ({text:?}): write a whole number greater than 0, such as 1000")
            })?,
    };
    let key = match &options.key_file {
        Some(path) => load_or_create_key(path)?,
        None => DpopKey::generate().map_err(|error| format!("key generation failed: {error}"))?,
    };

    let htu = url.split(['?', '#']).next().unwrap_or(&url);
    let mut output = std::io::BufWriter::new(std::io::stdout().lock());
    for _ in 0..count {
        // `proof` draws a new random jti each time.
        let mut proof = key.proof(&method, htu);
        if let Some(token) = &options.token {
            proof = proof.access_token(token);
        }
        if let Some(nonce) = &options.nonce {
            proof = proof.nonce(nonce);
        }
        writeln!(output, "{}", proof.sign())
            .map_err(|error| format!("could not write the proof: {error}"))?;
    }
    output
        .flush()
        .map_err(|error| format!("could not write the proof: {error}"))
}

fn parse(args: &[String]) -> Result<ProofOptions, String> {
    let mut options = ProofOptions::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?
            .clone();
        let slot = match flag.as_str() {
            "--method" => &mut options.method,
            "--url" => &mut options.url,
            "--token" => &mut options.token,
            "--nonce" => &mut options.nonce,
            "--count" => &mut options.count,
            "--key-file" => {
                options.key_file = Some(PathBuf::from(value));
                continue;
            }
            other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
        };
        *slot = Some(value);
    }
    Ok(options)
}

/// Loads the private JWK in `path`, or writes a new one there, readable by the owner only.
fn load_or_create_key(path: &Path) -> Result<DpopKey, String> {
    let shown = path.display();
    match std::fs::read(path) {
        Ok(bytes) => {
            let jwk = serde_json::from_slice(&bytes)
                .map_err(|error| format!("{shown} is not a JSON key: {error}"))?;
            DpopKey::from_private_jwk(&jwk).map_err(|error| format!("{shown}: {error}"))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key =
                DpopKey::generate().map_err(|error| format!("key generation failed: {error}"))?;
            write_private(path, key.private_jwk().to_string().as_bytes())
                .map_err(|error| format!("could not write {shown}: {error}"))?;
            Ok(key)
        }
        Err(error) => Err(format!("could not read {shown}: {error}")),
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)
}
