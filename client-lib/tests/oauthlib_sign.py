"""Signs requests with Python's oauthlib, the independent implementation the differential
test compares against. Reads one JSON request per line on stdin, writes one JSON answer
(base string and signature) per line on stdout."""
import json
import sys
from urllib.parse import urlsplit

from oauthlib.oauth1.rfc5849 import signature as s

SIGNERS = {
    "HMAC-SHA1": lambda base, cs, ts: s.sign_hmac_sha1(base, cs, ts),
    "HMAC-SHA256": lambda base, cs, ts: s.sign_hmac_sha256(base, cs, ts),
    "PLAINTEXT": lambda base, cs, ts: s.sign_plaintext(cs, ts),
}

for line in sys.stdin:
    case = json.loads(line)
    query = urlsplit(case["url"]).query
    params = s.collect_parameters(uri_query=query, body=case["body"] or [])
    params += [tuple(p) for p in case["oauth_params"]]
    normalized = s.normalize_parameters(params)
    base = s.signature_base_string(case["method"], s.base_string_uri(case["url"]), normalized)
    sig = SIGNERS[case["signature_method"]](base, case["client_secret"], case["token_secret"])
    print(json.dumps({"base_string": base, "signature": sig}), flush=True)
