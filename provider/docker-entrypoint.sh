#!/bin/sh
# Seeds the demo user alice and the site's app (DEMO_SITE_URL, DEMO_CONSUMER_KEY,
# DEMO_CONSUMER_SECRET), then serves. Both seeding commands are idempotent.
set -eu
brand=$(echo "$PROVIDER_BRAND" | tr '[:upper:]' '[:lower:]')
PROVIDER_USER_PASSWORD=wonderland provider create-user --screen-name alice --name Alice >/dev/null
PROVIDER_CONSUMER_SECRET="$DEMO_CONSUMER_SECRET" provider create-app --owner alice \
  --name "Sign in with … demo" --callback "${DEMO_SITE_URL}authorize/$brand" \
  --access write --consumer-key "$DEMO_CONSUMER_KEY" >/dev/null
exec provider serve
