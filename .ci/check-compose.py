"""Static check of docker-compose.yml (Docker has no engine on CI machines): the file
parses, every build context and Dockerfile exists, every environment variable is one the
code reads, and the values agree with each other (the URLs the site signs are the
providers' public URLs, keys match, callbacks point at the site)."""
import pathlib
import re
import sys
from urllib.parse import urlsplit

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
errors = []


def read(*globs):
    return "\n".join(p.read_text() for g in globs for p in sorted(root.glob(g)))


compose = yaml.safe_load((root / "docker-compose.yml").read_text())
services = compose.get("services") or {}
if not services:
    errors.append("no services")

# Variables the code reads: string literals in the config code, $VARS in entrypoints.
code = read("provider/src/config.rs", "app/src/server/**/*.rs", "provider/src/main.rs")
known = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', code))
known |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", read("provider/docker-entrypoint.sh")))
# Read by libraries: tracing-subscriber's EnvFilter.
known |= {"RUST_LOG"}
remote_suffixes = set(re.findall(r'"([A-Z_]+)"', re.search(
    r"pub const KEYS.*?\];", read("client-lib/src/config.rs"), re.S).group(0))) | {"BRAND"}

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
for site in sites:
    for remote in [r.strip().upper() for r in site.get("SITE_REMOTES", "").split(",")]:
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

if errors:
    print("docker-compose.yml:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(f"docker-compose.yml: ok ({len(services)} services, {len(providers)} providers checked)")
