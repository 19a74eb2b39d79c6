"""Completes the OAuth 2.0 Authorization Code flow with PKCE S256 against the provider
with Python's requests-oauthlib (OAuth2Session), an independent client, then calls
/2/users/me with the Bearer token, refreshes it, and revokes it. A requests.Session plays
the person's browser (sign in, approve). Prints one JSON line per step."""
import html
import json
import os
import re
import sys

import requests
from requests_oauthlib import OAuth2Session

# The test provider runs on plain http at 127.0.0.1.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

base, client_id, client_secret, redirect_uri, user, password = sys.argv[1:7]
client_secret = client_secret or None
token_url = base + "2/oauth2/token"


def csrf(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


browser = requests.Session()
# A browser's form posts say where they come from; the provider refuses those that do not.
browser.headers["Origin"] = base.rstrip("/")
login = browser.get(base + "login")
signed_in = browser.post(
    base + "login",
    data={"csrf": csrf(login.text), "screen_name": user, "password": password},
    allow_redirects=False,
)
print(json.dumps({"step": "sign_in", "status": signed_in.status_code}))

oauth = OAuth2Session(
    client_id,
    redirect_uri=redirect_uri,
    scope=["tweet.read", "users.read", "offline.access"],
    pkce="S256",
)
url, state = oauth.authorization_url(base + "i/oauth2/authorize")
consent = browser.get(url, allow_redirects=False)
fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
fields = {k: html.unescape(v) for k, v in fields.items()}
fields["decision"] = "allow"
answer = browser.post(base + "i/oauth2/authorize", data=fields, allow_redirects=False)
callback = answer.headers["Location"]
print(json.dumps({"step": "authorize", "status": answer.status_code,
                  "challenge_in_url": "code_challenge=" in url}))

# A confidential client authenticates with HTTP Basic (requests-oauthlib's default); a
# public one sends its client_id in the body.
if client_secret:
    token = oauth.fetch_token(token_url, authorization_response=callback,
                              client_secret=client_secret)
else:
    token = oauth.fetch_token(token_url, authorization_response=callback,
                              include_client_id=True)
print(json.dumps({"step": "token", "token_type": token.get("token_type"),
                  "expires_in": token.get("expires_in"), "scope": token.get("scope"),
                  "has_refresh": "refresh_token" in token}))

me = oauth.get(base + "2/users/me")
print(json.dumps({"step": "me", "status": me.status_code, "body": me.json()}))

extra = {"client_id": client_id}
auth = requests.auth.HTTPBasicAuth(client_id, client_secret) if client_secret else None
refreshed = oauth.refresh_token(token_url, auth=auth, **({} if client_secret else extra))
again = oauth.get(base + "2/users/me")
print(json.dumps({"step": "refresh", "changed": refreshed["refresh_token"] != token["refresh_token"],
                  "status": again.status_code}))

data = {"token": refreshed["access_token"], "token_type_hint": "access_token"}
if not client_secret:
    data["client_id"] = client_id
revoked = requests.post(base + "2/oauth2/revoke", data=data, auth=auth)
after = oauth.get(base + "2/users/me")
print(json.dumps({"step": "revoke", "status": revoked.status_code, "after": after.status_code}))
