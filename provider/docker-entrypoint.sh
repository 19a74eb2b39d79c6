#!/bin/sh
# Seeds the demo user alice and the site's app (DEMO_SITE_URL, DEMO_CONSUMER_KEY,
# DEMO_CONSUMER_SECRET), then serves. With DEMO_OAUTH2_CLIENT_ID the same app is also an
# OAuth 2.0 confidential client (DEMO_OAUTH2_CLIENT_SECRET) whose one redirect URI is
# DEMO_OAUTH2_REDIRECT_URI, as .ci/stack seeds Chirp for the site's chirp2. Both seeding
# commands are idempotent.
set -eu
brand=$(echo "$PROVIDER_BRAND" | tr '[:upper:]' '[:lower:]')
PROVIDER_USER_PASSWORD=wonderland provider create-user --screen-name alice --name Alice >/dev/null
set --
if [ -n "${DEMO_OAUTH2_CLIENT_ID:-}" ]; then
  export PROVIDER_CLIENT_SECRET="${DEMO_OAUTH2_CLIENT_SECRET:?DEMO_OAUTH2_CLIENT_SECRET is not set}"
  set -- --oauth2 confidential --client-id "$DEMO_OAUTH2_CLIENT_ID" \
    --redirect-uri "${DEMO_OAUTH2_REDIRECT_URI:?DEMO_OAUTH2_REDIRECT_URI is not set}"
fi
PROVIDER_CONSUMER_SECRET="$DEMO_CONSUMER_SECRET" provider create-app --owner alice \
  --name "Sign in with … demo" --callback "${DEMO_SITE_URL}authorize/$brand" \
  --access write --consumer-key "$DEMO_CONSUMER_KEY" "$@" >/dev/null
unset PROVIDER_CLIENT_SECRET
exec provider serve
