"""Talks to the provider with Python's requests-oauthlib, an independent OAuth 1.0a
client: a request token (oob), then signed API calls with given token credentials, with
the signature in the header, in the query and in the body. Prints one JSON line per call."""
import json
import sys

from requests_oauthlib import OAuth1, OAuth1Session
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY

base, key, secret, token, token_secret = sys.argv[1:6]

session = OAuth1Session(key, client_secret=secret, callback_uri="oob")
fetched = session.fetch_request_token(base + "oauth/request_token?x_auth_access_type=read")
print(json.dumps({"call": "request_token", "confirmed": fetched.get("oauth_callback_confirmed")}))

import requests

for kind in (SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY, SIGNATURE_TYPE_BODY):
    auth = OAuth1(key, secret, token, token_secret, signature_type=kind)
    # A GET has no body to carry the parameters: the body type applies to the POST only.
    get_auth = auth if kind != SIGNATURE_TYPE_BODY else OAuth1(key, secret, token, token_secret)
    me = requests.get(base + "1.1/account/verify_credentials.json", auth=get_auth)
    post = requests.post(
        base + "1.1/statuses/update.json",
        data={"status": f"from requests-oauthlib ({kind}) ☃ & friends"},
        auth=auth,
    )
    print(json.dumps({
        "call": kind,
        "verify_status": me.status_code,
        "screen_name": me.json().get("screen_name"),
        "post_status": post.status_code,
        "text": post.json().get("text"),
    }))
