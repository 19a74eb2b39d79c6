"""The whole OAuth 1.0a flow against the example app (examples/own_provider.rs) with
Python's requests-oauthlib, an independent client: temporary credentials, the person's
sign-in and consent in a requests.Session playing the browser, token credentials, then
the protected /api/me. Prints one JSON line per step."""
import json
import re
import sys

import requests
from requests_oauthlib import OAuth1Session

base, key, secret, callback, user, password = sys.argv[1:7]

oauth = OAuth1Session(key, client_secret=secret, callback_uri=callback)
temporary = oauth.fetch_request_token(base + "oauth/request_token")
print(json.dumps({"step": "request_token",
                  "confirmed": temporary.get("oauth_callback_confirmed")}))

browser = requests.Session()
# A browser's form posts say where they come from; the app refuses those that do not.
browser.headers["Origin"] = base.rstrip("/")
authorize = oauth.authorization_url(base + "oauth/authorize")
browser.get(authorize)
signed_in = browser.post(base + "login", allow_redirects=False, data={
    "oauth_token": temporary["oauth_token"], "name": user, "password": password})
consent = browser.get(base + signed_in.headers["Location"].lstrip("/"))
csrf = re.search(r'name="csrf" value="([^"]+)"', consent.text).group(1)
answer = browser.post(base + "oauth/authorize", allow_redirects=False, data={
    "oauth_token": temporary["oauth_token"], "csrf": csrf, "decision": "allow"})
print(json.dumps({"step": "authorize", "status": answer.status_code}))

oauth.parse_authorization_response(answer.headers["Location"])
tokens = oauth.fetch_access_token(base + "oauth/access_token")
print(json.dumps({"step": "access_token", "user_id": tokens.get("user_id")}))

me = oauth.get(base + "api/me")
print(json.dumps({"step": "me", "status": me.status_code, "name": me.json().get("name")}))
