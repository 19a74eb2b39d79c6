"""An independent OAuth 2 authorization server for tests/it/authlib_interop.rs: Authlib's
Flask AuthorizationServer with the authorization code grant (RFC 6749 §4.1), PKCE
(RFC 7636, S256 required) and refresh tokens (§6, rotated), one confidential client,
in memory. The "user" approves at once. Prints its port, then serves until killed.

argv: client_id client_secret redirect_uri
"""
import secrets
import sys
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.models import ClientMixin, TokenMixin
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET, REDIRECT_URI = sys.argv[1:4]
SCOPE = "tweet.read users.read offline.access"


class Client(ClientMixin):
    client_id = CLIENT_ID

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return REDIRECT_URI

    def get_allowed_scope(self, scope):
        allowed = set(SCOPE.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == REDIRECT_URI

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


class Code:
    def __init__(self, code, redirect_uri, scope, challenge, method):
        self.code, self.redirect_uri, self.scope = code, redirect_uri, scope
        self.code_challenge, self.code_challenge_method = challenge, method
        self.auth_time = time.time()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return None

    def get_auth_time(self):
        return self.auth_time


class Token(TokenMixin):
    def __init__(self, data):
        self.data, self.issued_at, self.revoked = data, time.time(), False

    def check_client(self, client):
        return client.get_client_id() == CLIENT_ID

    def get_scope(self):
        return self.data.get("scope", "")

    def get_expires_in(self):
        return self.data.get("expires_in", 0)

    def is_expired(self):
        return time.time() > self.issued_at + self.get_expires_in()

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return "alice"

    def get_client(self):
        return CLIENT


CLIENT = Client()
CODES, TOKENS = {}, []


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code, req):
        CODES[code] = Code(
            code,
            req.payload.redirect_uri,
            req.payload.scope,
            req.payload.data.get("code_challenge"),
            req.payload.data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code, client):
        return CODES.get(code)

    def delete_authorization_code(self, authorization_code):
        CODES.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return "alice"


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        for token in TOKENS:
            if token.data.get("refresh_token") == refresh_token and not token.revoked:
                return token
        return None

    def authenticate_user(self, refresh_token):
        return "alice"

    def revoke_old_credential(self, refresh_token):
        refresh_token.revoked = True


def save_token(token, req):
    TOKENS.append(Token(dict(token)))


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        for token in TOKENS:
            if token.data.get("access_token") == token_string:
                return token
        return None


app = Flask(__name__)
# Refresh tokens are off unless a generator is configured; True is Authlib's default one.
app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
server = AuthorizationServer(app, query_client=lambda cid: CLIENT if cid == CLIENT_ID else None,
                             save_token=save_token)
server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
server.register_grant(RefreshTokenGrant)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(Validator())


@app.route("/i/oauth2/authorize")
def authorize():
    return server.create_authorization_response(grant_user="alice")


@app.route("/2/oauth2/token", methods=["POST"])
def issue_token():
    return server.create_token_response()


@app.route("/2/users/me")
@require_oauth("users.read")
def me():
    return jsonify({"data": {"id": "7", "username": "alice"}})


if __name__ == "__main__":
    http = make_server("127.0.0.1", 0, app)
    print(http.server_port, flush=True)
    http.serve_forever()
