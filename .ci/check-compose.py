"""Static check of docker-compose.yml and the Dockerfiles (Docker has no engine on CI
machines): the file parses, every build context and Dockerfile exists, every environment
variable is one the code reads and app/.env.sample or provider/.env.sample documents,
and the values agree with each other (the URLs the site signs are the providers' public URLs, keys match, callbacks
point at the site; an OAuth 2.0 remote such as chirp2 has every URL at its provider's
public URL, the client id and secret the provider seeds, and the redirect URI the
provider registers is the site's callback for it). Also what Docker Desktop needs: no host networking, servers listening
on all interfaces with their ports published, no loopback URL a container would have to
reach, each provider's public URL a network alias browsers resolve to loopback
(*.localhost); health checks that ask an HTTP endpoint (/healthz, /readyz) with a tool
the image has; Dockerfiles that cache dependencies (BuildKit cache mounts or
cargo-chef), a site image built with the release path (wasm-opt), and a .dockerignore
that keeps target/ out of the build context."""
import pathlib
import re
import sys
from urllib.parse import urlsplit

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
errors = []


def read(*globs):
    return "\n".join(p.read_text() for g in globs for p in sorted(root.glob(g)))




def dotenv(path):
    """The `.env` beside the compose file, which compose reads for interpolation."""
    values = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


# Compose's interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-default}` (default
# when unset or empty), `${VAR-default}` (when unset) and `$VAR`, from the environment
# compose runs in, then `.env`.
INTERPOLATION = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m):
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        found = env.get(name)
        if m.group(3) == ":-" and not found:
            return m.group(4)
        if m.group(3) == "-" and found is None:
            return m.group(4)
        return found or ""

    return INTERPOLATION.sub(one, value)


compose_env = {**dotenv(root / ".env"), **__import__("os").environ}
compose = interpolate(yaml.safe_load((root / "docker-compose.yml").read_text()), compose_env)
services = compose.get("services") or {}
if not services:
    errors.append("no services")

# Variables the code reads: string literals in the config code, $VARS in entrypoints.
code = read("provider/src/config.rs", "provider/src/config/*.rs", "app/src/server/**/*.rs", "provider/src/main.rs")
known = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', code))
known |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", read("provider/docker-entrypoint.sh")))
# Read by libraries: tracing-subscriber's EnvFilter.
known |= {"RUST_LOG"}
# {NAME}_* suffixes: the upper-case string literals of the registry's configuration code.
# The registry's `{NAME}_*` keys, and the site's own (`format!("{}_BRAND", …)`).
remote_suffixes = set(re.findall(r'"([A-Z][A-Z_]+)"', read("client-lib/src/config.rs"))) | set(
    re.findall(r'\{\}_([A-Z][A-Z0-9_]+)"', read("app/src/server/config.rs", "app/src/server/config/*.rs")))

for name, service in services.items():
    build = service.get("build")
    if build:
        context = root / build.get("context", ".")
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        if not dockerfile.is_file():
            errors.append(f"{name}: no Dockerfile at {dockerfile.relative_to(root)}")
        for line in dockerfile.read_text().splitlines() if dockerfile.is_file() else []:
            m = re.match(r"COPY (?!--from)(\S+) ", line)
            if m and m.group(1) != "." and not (context / m.group(1)).exists():
                errors.append(f"{name}: {dockerfile.name} copies missing {m.group(1)}")
    if not build and "image" not in service:
        errors.append(f"{name}: neither build nor image")
    for dep in service.get("depends_on") or []:
        if dep not in services:
            errors.append(f"{name}: depends on unknown service {dep}")
    for volume in service.get("volumes") or []:
        source = str(volume).split(":")[0]
        if not source.startswith((".", "/")) and source not in (compose.get("volumes") or {}):
            errors.append(f"{name}: volume {source} is not declared")
        elif source.startswith(".") and not (root / source).exists():
            errors.append(f"{name}: mounts missing {source}")
    if not build:
        continue
    if "healthcheck" not in service:
        errors.append(f"{name}: no health check")
    env = service.get("environment") or {}
    remotes = [r.strip().upper() for r in str(env.get("SITE_REMOTES", "")).split(",") if r.strip()]
    # The real services' remotes, whose credentials compose takes from `.env` when given.
    remotes += ["TWITTER", "X"] if "SITE_LISTEN" in env else []
    for var in env:
        if var in known:
            continue
        prefix, _, suffix = var.partition("_")
        if prefix in remotes and suffix in remote_suffixes:
            continue
        errors.append(f"{name}: {var} is not read by the code")

providers = {s["environment"]["PROVIDER_BRAND"].upper(): s["environment"]
             for s in services.values() if "PROVIDER_BRAND" in (s.get("environment") or {})}
sites = [s["environment"] for s in services.values() if "SITE_LISTEN" in (s.get("environment") or {})]
# An OAuth 2.0 remote (one without a REQUEST_TOKEN_URL, the registry's rule) at a provider:
# each URL the site calls or sends browsers to, at the path the provider serves it on.
OAUTH2_PATHS = {
    "AUTHORIZE_URL": "/i/oauth2/authorize",
    "ACCESS_TOKEN_URL": "/2/oauth2/token",
    "REFRESH_TOKEN_URL": "/2/oauth2/token",
    "REVOKE_URL": "/2/oauth2/revoke",
    "API_BASE_URL": "/2/",
}


def origin(url):
    parts = urlsplit(url or "")
    return (parts.scheme, parts.netloc)


def check_oauth2_remote(site, remote):
    """`remote`'s provider is the one whose public URL its authorize URL is at; the client
    id and secret are what that provider seeds (DEMO_OAUTH2_*), and the redirect URI it
    registers is the site's callback for this remote (SITE_PUBLIC_URL + authorize/name)."""
    authorize = site.get(f"{remote}_AUTHORIZE_URL", "")
    p = next((p for p in providers.values()
              if origin(p.get("PROVIDER_PUBLIC_URL")) == origin(authorize)), None)
    if p is None:
        errors.append(f"site: {remote} (OAuth 2.0) has no provider service at its "
                      f"AUTHORIZE_URL {authorize!r}")
        return
    brand = p["PROVIDER_BRAND"].upper()
    public = p["PROVIDER_PUBLIC_URL"].rstrip("/")
    for key, path in OAUTH2_PATHS.items():
        # Every one given: the site's defaults name 127.0.0.1, the container itself.
        if site.get(f"{remote}_{key}") != public + path:
            errors.append(f"site: {remote}_{key} is {site.get(f'{remote}_{key}')!r}, not "
                          f"{public + path} ({brand}'s public URL)")
    if not p.get("DEMO_OAUTH2_CLIENT_ID"):
        errors.append(f"{brand}: no DEMO_OAUTH2_CLIENT_ID, so no OAuth 2.0 client for {remote}")
        return
    if site.get(f"{remote}_CLIENT_ID") != p.get("DEMO_OAUTH2_CLIENT_ID"):
        errors.append(f"site: {remote}_CLIENT_ID differs from the OAuth 2.0 client id seeded at {brand}")
    if site.get(f"{remote}_CLIENT_SECRET") != p.get("DEMO_OAUTH2_CLIENT_SECRET"):
        errors.append(f"site: {remote}_CLIENT_SECRET differs from the OAuth 2.0 client secret seeded at {brand}")
    callback = f"{site.get('SITE_PUBLIC_URL', '').rstrip('/')}/authorize/{remote.lower()}"
    if p.get("DEMO_OAUTH2_REDIRECT_URI") != callback:
        errors.append(f"{brand}: DEMO_OAUTH2_REDIRECT_URI {p.get('DEMO_OAUTH2_REDIRECT_URI')!r} is "
                      f"not the site's callback for {remote}, {callback}")


# The real X's credentials and SITE_REMOTES come from `.env` or the environment: given
# there, they reach the site's container unchanged.
given = {"SITE_REMOTES": "chirp,twitter,x", "TWITTER_CLIENT_ID": "probe-id",
         "TWITTER_CLIENT_SECRET": "probe-secret", "X_CLIENT_ID": "probe-x",
         "X_CLIENT_SECRET": "probe-x-secret", "X_CLIENT_KWARGS": "scope=tweet.read users.read"}
probed = interpolate(yaml.safe_load((root / "docker-compose.yml").read_text()), given)
for service in (probed.get("services") or {}).values():
    env = service.get("environment") or {}
    if "SITE_LISTEN" in env:
        for key, value in given.items():
            if env.get(key) != value:
                errors.append(f"site: {key} from .env or the environment does not reach the container "
                              f"(got {env.get(key)!r}): use ${{{key}:-…}}")

for site in sites:
    for remote in [r.strip().upper() for r in site.get("SITE_REMOTES", "").split(",")]:
        if remote in ("TWITTER", "X"):
            # The real services: the presets hold their URLs; only the credentials are given.
            if not site.get(f"{remote}_CLIENT_ID"):
                errors.append(f"site: SITE_REMOTES names {remote.lower()} but {remote}_CLIENT_ID is empty: set it in .env")
            continue
        if f"{remote}_REQUEST_TOKEN_URL" not in site and f"{remote}_AUTHORIZE_URL" in site:
            check_oauth2_remote(site, remote)
            continue
        p = providers.get(remote)
        if p is None:
            errors.append(f"site: remote {remote} has no provider service")
            continue
        public = urlsplit(p["PROVIDER_PUBLIC_URL"])
        for key in ["REQUEST_TOKEN_URL", "ACCESS_TOKEN_URL", "AUTHORIZE_URL", "API_BASE_URL"]:
            url = urlsplit(site.get(f"{remote}_{key}", ""))
            if (url.scheme, url.netloc) != (public.scheme, public.netloc):
                errors.append(f"site: {remote}_{key} is not at {remote}'s public URL "
                              f"{p['PROVIDER_PUBLIC_URL']} (signatures would not verify)")
        if site.get(f"{remote}_CLIENT_ID") != p.get("DEMO_CONSUMER_KEY"):
            errors.append(f"site: {remote}_CLIENT_ID differs from the key seeded at {remote}")
        if site.get(f"{remote}_CLIENT_SECRET") != p.get("DEMO_CONSUMER_SECRET"):
            errors.append(f"site: {remote}_CLIENT_SECRET differs from the secret seeded at {remote}")
        if p.get("DEMO_SITE_URL") != site.get("SITE_PUBLIC_URL"):
            errors.append(f"{remote}: DEMO_SITE_URL differs from the site's SITE_PUBLIC_URL")

# --- Docker Desktop: bridge networking, published ports, names that work on both sides.
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
# Read by browsers, not by the container itself: these may name loopback.
BROWSER_URLS = {"SITE_PUBLIC_URL", "DEMO_SITE_URL", "DEMO_OAUTH2_REDIRECT_URI",
                "PROVIDER_DEBUGGER_URL"}
sample = (root / "provider" / ".env.sample").read_text() + (root / "app" / ".env.sample").read_text()
documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", sample, re.M))


def published(service):
    """Container port -> host port of `ports:` entries."""
    out = {}
    for entry in service.get("ports") or []:
        parts = str(entry).split(":")
        if len(parts) >= 2:
            out[parts[-1].split("/")[0]] = parts[-2]
    return out


def aliases(service):
    nets = service.get("networks") or {}
    if isinstance(nets, list):
        return set()
    return {a for n in nets.values() if isinstance(n, dict) for a in n.get("aliases") or []}


raw = (root / "docker-compose.yml").read_text()
site_remotes = {r.strip().upper() for s in services.values()
                for r in str((s.get("environment") or {}).get("SITE_REMOTES", "")).split(",") if r.strip()}
if re.search(r"^\s*network_mode:\s*\"?host", raw, re.M):
    errors.append("network_mode: host (Docker Desktop on macOS and Windows lacks it): use the bridge network")
for name, service in services.items():
    env = service.get("environment") or {}
    if isinstance(env, list):
        errors.append(f"{name}: environment as a list; use a mapping")
        continue
    if service.get("network_mode"):
        errors.append(f"{name}: network_mode {service['network_mode']}")
    if not service.get("build"):
        continue
    test = (service.get("healthcheck") or {}).get("test") or []
    test = " ".join(test) if isinstance(test, list) else str(test)
    if not re.search(r"https?://[^ ]+/(healthz|readyz)\b", test):
        errors.append(f"{name}: the health check must ask /healthz or /readyz over HTTP, not {test!r}")
    tool = next((t for t in ("curl", "wget") if re.search(rf"\b{t}\b", test)), None)
    dockerfile = root / service["build"].get("context", ".") / service["build"].get("dockerfile", "Dockerfile")
    if tool and dockerfile.is_file():
        final_stage = dockerfile.read_text().split("\nFROM ")[-1]
        if not re.search(rf"apt-get install[^\n]*\b{tool}\b", final_stage) and tool not in final_stage.split("\n")[0]:
            errors.append(f"{name}: the health check runs {tool}, which the image's last stage does not install")
    ports = published(service)
    for var in ("PROVIDER_LISTEN", "SITE_LISTEN"):
        if var in env:
            host, _, port = str(env[var]).rpartition(":")
            if host not in ("0.0.0.0", "[::]", "::"):
                errors.append(f"{name}: {var}={env[var]} is not reachable from outside the container (listen on 0.0.0.0)")
            if port not in ports:
                errors.append(f"{name}: port {port} ({var}) is not published")
    for var, value in env.items():
        url = urlsplit(str(value)) if "://" in str(value) else None
        if url and url.hostname in LOOPBACK and var not in BROWSER_URLS:
            errors.append(f"{name}: {var}={value} names loopback, which inside a container is the container itself")
        remote, _, suffix = var.partition("_")
        generic = f"CHIRP_{suffix}"  # {NAME}_* variables are documented once, for chirp
        if var not in documented and not (remote in site_remotes and generic in documented):
            errors.append(f"{name}: {var} is not documented in app/.env.sample or provider/.env.sample")
    public = env.get("PROVIDER_PUBLIC_URL")
    if public:
        url = urlsplit(public)
        if not (url.hostname or "").endswith(".localhost"):
            errors.append(f"{name}: PROVIDER_PUBLIC_URL {public}: use a *.localhost name, which browsers resolve to loopback")
        if url.hostname not in aliases(service):
            errors.append(f"{name}: {url.hostname} is not a network alias of the service (the site could not reach it)")
        port = str(url.port or 80)
        if ports.get(port) != port:
            errors.append(f"{name}: {public} needs port {port} published as the same port ({port}:{port})")
    site_url = env.get("SITE_PUBLIC_URL")
    if site_url:
        url = urlsplit(site_url)
        port = str(url.port or 80)
        if url.hostname not in ("127.0.0.1", "localhost"):
            errors.append(f"{name}: SITE_PUBLIC_URL {site_url} is not a loopback URL browsers reach")
        if ports.get(port) != port:
            errors.append(f"{name}: SITE_PUBLIC_URL's port {port} is not published as the same port")

# --- Dockerfiles: cached dependency builds; the site's with the release path (wasm-opt).
for name, service in services.items():
    build = service.get("build")
    if not build:
        continue
    dockerfile = root / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
    if not dockerfile.is_file():
        continue
    text = dockerfile.read_text()
    rel = dockerfile.relative_to(root)
    cached = "--mount=type=cache" in text or "cargo chef" in text
    if not cached:
        errors.append(f"{rel}: no dependency cache (BuildKit --mount=type=cache or cargo-chef)")
    if "--mount=" in text and not text.startswith("# syntax=docker/dockerfile:1"):
        errors.append(f"{rel}: --mount needs '# syntax=docker/dockerfile:1...' as its first line")
    if "network_mode" in text or "--network=host" in text:
        errors.append(f"{rel}: host networking")
    if "SITE_LISTEN" in (service.get("environment") or {}):
        if not re.search(r"\.ci/build-site --release", text):
            errors.append(f"{rel}: the site image must use the release path (.ci/build-site --release: wasm-opt)")
        if "apt-get install" in text and re.search(r"apt-get install[^\n]*\bbinaryen\b", text):
            errors.append(f"{rel}: Debian's binaryen made a wasm that never hydrated; wasm-opt comes from npm")
        if "hash.txt" not in text:
            errors.append(f"{rel}: the hashed file names need hash.txt next to the binary")
ignore = root / ".dockerignore"
if not ignore.is_file() or not re.search(r"^/?target/?$", ignore.read_text(), re.M):
    errors.append(".dockerignore must leave target/ out of the build context")

if errors:
    print("docker-compose.yml:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(f"docker-compose.yml, Dockerfiles: ok ({len(services)} services, {len(providers)} providers checked)")
