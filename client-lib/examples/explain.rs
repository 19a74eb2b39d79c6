//! Signing explained step by step, and rejected signatures debugged, from the command
//! line, with the crate's own `oauth1::explain` (the code a browser playground runs).
//!
//! ```text
//! # Every step of Twitter's "Creating a signature" example, with its RFC 5849 section:
//! cargo run -p oauth1-rfc5849 --example explain -- --preset twitter-statuses-update
//!
//! # A raw request whose client signed the http URL but sent it over https, diagnosed:
//! printf 'GET /photos?file=vacation.jpg&size=original HTTP/1.1\r\nHost: photos.example.net\r\nAuthorization: OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%%2FUDMsK2sui9I%%3D"\r\n\r\n' \
//!   | cargo run -p oauth1-rfc5849 --example explain -- --stdin --consumer-secret kd94hf93k423kf44 --token-secret pfkkdhi9sl3r4s00
//! ```

use std::collections::HashMap;
use std::io::Read as _;
use std::process::ExitCode;

use oauth1::explain::{
    DiagnoseInput, Diagnosis, Explanation, Preset, SigningInput, Verdict, diagnose, explain,
    preset, presets,
};
use oauth1::{Nonce, Placement, Timestamp};

const USAGE: &str = "\
usage: explain [--preset NAME] [request and secrets]          every step of signing
       explain [--preset NAME] [...] --authorization HEADER   why a signature fails
       explain --stdin --consumer-secret S [--token-secret T] a raw HTTP request, diagnosed

request:  --method M (GET)  --url URL  --body FORM  --realm R  --callback URL  --verifier V
          --nonce N (random)  --timestamp SECS (now)  --no-version
secrets:  --consumer-key K  --consumer-secret S  --token T  --token-secret TS
signing:  --signature-method HMAC-SHA1|HMAC-SHA256|PLAINTEXT|RSA-SHA1  --placement header|query|body
          --rsa-key-file PEM (RSA-SHA1's private key, with the rsa feature)
diagnosis: --content-type T (form when there is a body)
stdin:    --scheme https|http (for a request target without one; https)
output:   --json (the serde form a web page gets)   --help
exit:     0 explained or the signature matches, 1 it does not or bad input, 2 bad flags";

/// Flags that take a value.
const VALUE_FLAGS: [&str; 19] = [
    "method",
    "url",
    "body",
    "consumer-key",
    "consumer-secret",
    "token",
    "token-secret",
    "signature-method",
    "placement",
    "realm",
    "callback",
    "verifier",
    "nonce",
    "timestamp",
    "authorization",
    "preset",
    "scheme",
    "content-type",
    "rsa-key-file",
];
const SWITCHES: [&str; 4] = ["stdin", "json", "no-version", "help"];

/// The command line: `--flag value` pairs and switches.
struct Args {
    values: HashMap<String, String>,
    switches: Vec<String>,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let (mut values, mut switches) = (HashMap::new(), Vec::new());
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let name = match arg.as_str() {
                "-h" => "help",
                _ => arg
                    .strip_prefix("--")
                    .ok_or(format!("unexpected {arg:?}"))?,
            };
            if SWITCHES.contains(&name) {
                switches.push(name.to_owned());
            } else if VALUE_FLAGS.contains(&name) {
                let value = args.next().ok_or(format!("--{name} needs a value"))?;
                values.insert(name.to_owned(), value);
            } else {
                return Err(format!("unknown flag {arg:?}"));
            }
        }
        Ok(Self { values, switches })
    }
    fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }
    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }
}

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) if args.has("help") => {
            println!("{USAGE}\n\npresets:");
            for p in presets() {
                println!("  {:<31} {} ({})", p.name, p.title, p.source);
            }
            return ExitCode::SUCCESS;
        }
        Ok(args) => args,
        Err(message) => return usage_error(&message),
    };
    let preset = match args.get("preset").map(|name| (preset(&name), name)) {
        Some((None, name)) => return usage_error(&format!("no preset {name:?} (see --help)")),
        Some((Some(p), _)) => Some(p),
        None => None,
    };
    let diagnosing = args.has("stdin") || args.values.contains_key("authorization");
    let input = match signing_input(&args, preset.as_ref(), diagnosing) {
        Ok(input) => input,
        Err(message) => return usage_error(&message),
    };
    if !diagnosing {
        return match explain(&input) {
            Ok(steps) if args.has("json") => print_json(&steps),
            Ok(steps) => {
                print_steps(&input, &steps, preset.as_ref());
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error.to_string()),
        };
    }
    let request = if args.has("stdin") {
        let mut raw = String::new();
        if let Err(error) = std::io::stdin().read_to_string(&mut raw) {
            return fail(&format!("reading stdin: {error}"));
        }
        let scheme = args.get("scheme").unwrap_or("https".into());
        let secret = input.token_secret.as_deref();
        DiagnoseInput::from_raw_request(&raw, &scheme, &input.consumer_secret, secret)
    } else {
        Ok(DiagnoseInput {
            method: input.method,
            url: input.url,
            body: input.body,
            content_type: args.get("content-type"),
            authorization: args.get("authorization"),
            consumer_secret: input.consumer_secret,
            token_secret: input.token_secret,
        })
    };
    match request.and_then(|request| diagnose(&request)) {
        Ok(diagnosis) if args.has("json") => print_json(&diagnosis),
        Ok(diagnosis) => {
            print_diagnosis(&diagnosis);
            match diagnosis.verdict {
                Verdict::Match => ExitCode::SUCCESS,
                Verdict::Mistake | Verdict::Unexplained => ExitCode::FAILURE,
            }
        }
        Err(error) => fail(&error.to_string()),
    }
}

/// The preset's input (or an empty one) with the flags' values over it. Diagnosing
/// from stdin needs only the secrets.
fn signing_input(
    args: &Args,
    preset: Option<&Preset>,
    diagnosing: bool,
) -> Result<SigningInput, String> {
    let mut input = match preset {
        Some(preset) => preset.input.clone(),
        None => fresh_input(args, diagnosing)?,
    };
    apply_flags(args, &mut input)?;
    Ok(input)
}

/// An input from the flags alone: HMAC-SHA1 in the header, a fresh nonce and timestamp.
fn fresh_input(args: &Args, diagnosing: bool) -> Result<SigningInput, String> {
    let need = |name: &str| match (args.get(name), args.has("stdin")) {
        (Some(value), _) => Ok(value),
        (None, true) => Ok(String::new()),
        (None, false) => Err(format!("--{name} is needed (or --preset)")),
    };
    Ok(SigningInput {
        method: "GET".into(),
        url: need("url")?,
        body: String::new(),
        consumer_key: if diagnosing {
            String::new()
        } else {
            need("consumer-key")?
        },
        consumer_secret: need("consumer-secret")?,
        token: None,
        token_secret: None,
        signature_method: "HMAC-SHA1".into(),
        rsa_private_key: None,
        placement: Placement::Header,
        realm: None,
        callback: None,
        verifier: None,
        version: true,
        nonce: Nonce::generate().into_string(),
        timestamp: Timestamp::now().as_secs(),
    })
}

/// Each flag given replaces the input's value.
fn apply_flags(args: &Args, input: &mut SigningInput) -> Result<(), String> {
    let set = |field: &mut String, name| {
        if let Some(value) = args.get(name) {
            *field = value;
        }
    };
    set(&mut input.method, "method");
    set(&mut input.url, "url");
    set(&mut input.body, "body");
    set(&mut input.consumer_key, "consumer-key");
    set(&mut input.consumer_secret, "consumer-secret");
    set(&mut input.signature_method, "signature-method");
    set(&mut input.nonce, "nonce");
    for (field, name) in [
        (&mut input.token, "token"),
        (&mut input.token_secret, "token-secret"),
        (&mut input.realm, "realm"),
        (&mut input.callback, "callback"),
        (&mut input.verifier, "verifier"),
    ] {
        if let Some(value) = args.get(name) {
            *field = Some(value);
        }
    }
    if let Some(timestamp) = args.get("timestamp") {
        input.timestamp = timestamp.parse().map_err(|_| "--timestamp takes seconds")?;
    }
    if let Some(placement) = args.get("placement") {
        input.placement = match placement.to_ascii_lowercase().as_str() {
            "header" => Placement::Header,
            "query" => Placement::Query,
            "body" => Placement::Body,
            _ => return Err("--placement is header, query or body".into()),
        };
    }
    if args.has("no-version") {
        input.version = false;
    }
    if let Some(path) = args.get("rsa-key-file") {
        let pem =
            std::fs::read_to_string(&path).map_err(|e| format!("--rsa-key-file {path}: {e}"))?;
        input.rsa_private_key = Some(pem);
        input.signature_method = "RSA-SHA1".into();
    }
    Ok(())
}

fn print_steps(input: &SigningInput, steps: &Explanation, preset: Option<&Preset>) {
    println!("Signing {} {} (RFC 5849 §3.4)\n", input.method, input.url);
    let p = &steps.parameters;
    println!(
        "1. Parameters (§3.4.1.3.1), encoded ({}):",
        p.encoding_section
    );
    for p in &p.parameters {
        let source = format!("{:?}", p.source).to_lowercase();
        println!("   {source:<9}{} = {}", p.name, p.value);
        if (&p.encoded_name, &p.encoded_value) != (&p.name, &p.value) {
            println!(
                "   {:<9}encoded: {}={}",
                "", p.encoded_name, p.encoded_value
            );
        }
    }
    let n = &steps.normalized;
    println!(
        "\n2. Normalized parameters ({}):\n   {}",
        n.section, n.value
    );
    let uri = &steps.uri;
    println!("\n3. Base string URI ({}):\n   {}", uri.section, uri.value);
    for d in &uri.dropped {
        println!("   dropped {:?}: {}", d.part, d.text);
    }
    for l in &uri.lower_cased {
        println!("   lower-cased {:?}: {} -> {}", l.part, l.from, l.to);
    }
    let b = &steps.base_string;
    println!(
        "\n4. Signature base string ({}): method & URI & parameters",
        b.section
    );
    println!("   method:     {}\n   URI:        {}", b.method, b.uri);
    println!(
        "   parameters: {}\n   whole:      {}",
        b.parameters, b.value
    );
    let k = &steps.signing_key;
    println!(
        "\n5. Signing key ({}), a secret:\n   {}",
        k.section, k.value
    );
    let s = &steps.signature;
    println!(
        "\n6. Signature, {} ({}):\n   {}",
        s.method, s.section, s.value
    );
    if let Some(preset) = preset.filter(|p| p.input.signature_method == s.method) {
        let verdict = if preset.expected_signature == s.value {
            "the same"
        } else {
            "DIFFERENT"
        };
        println!(
            "   published in {}: {} ({verdict})",
            preset.source, preset.expected_signature
        );
    }
    let o = &steps.output;
    let (what, sent) = match (&o.authorization, &o.body) {
        (Some(header), _) => ("Authorization header", header),
        (None, Some(body)) => ("body", body),
        (None, None) => ("URL", &o.url),
    };
    println!("\n7. Sent: the {what} ({}):\n   {sent}", o.section);
}

fn print_diagnosis(d: &Diagnosis) {
    println!("Diagnosis, as the provider checks it (RFC 5849 §3.2)\n");
    println!("parameters found in: {:?}", d.location);
    println!("signature method:    {}", d.signature_method);
    println!("received signature:  {}", d.received_signature);
    println!("server computes:     {}", d.expected_signature);
    println!("server base string (§3.4.1):\n  {}\n", d.server_base_string);
    match d.verdict {
        Verdict::Match => println!("The signature matches: the provider accepts it."),
        Verdict::Unexplained => println!(
            "The signature does not match, and no usual mistake explains it: check that the \
             secrets are the ones the client used, and that the request was not changed after \
             signing."
        ),
        Verdict::Mistake => println!("The signature does not match. It matches with this mistake:"),
    }
    for m in &d.mistakes {
        println!("\n* {} ({}): {}", m.title, m.section, m.explanation);
        println!("  here: {}", m.detail);
        println!(
            "  client base string, signed with {}:\n  {}",
            m.client_signature_method, m.client_base_string
        );
        if let Some(at) = m.first_difference {
            println!("  {}^ first difference (byte {at})", " ".repeat(at));
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error.to_string()),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("explain: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("explain: {message}");
    ExitCode::FAILURE
}
