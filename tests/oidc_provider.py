"""A small OpenID Connect provider for the tests, built on Authlib's server side and served on loopback.

It behaves as ProConnect does for the parts Forums uses: discovery, authorization code with PKCE
and nonce, an RS256-signed ID token, userinfo answered as a signed JWT, RP-initiated logout. Its
switches make it misbehave on purpose: sign with a key it does not publish, issue expired tokens.
"""
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, Response, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "forums-tests"
CLIENT_SECRET = "un-secret-de-client-de-test"


class Client(ClientMixin):
    """The one client the provider knows: Forums, with its callback address."""

    def __init__(self, redirect_uri):
        self.redirect_uri = redirect_uri

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return client_secret == CLIENT_SECRET

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    user: dict
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return "eidas1"

    def get_amr(self):
        return None


class Provider:
    """The provider's state and switches; ``url`` is its issuer once started."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "provider-key", "use": "sig"}, private=True)
        #: A key of the same shape the provider never publishes: what it signs with when forging.
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "provider-key", "use": "sig"}, private=True)
        self.user = {"sub": "sub-camille", "email": "camille.martin@interieur.gouv.fr", "given_name": "Camille",
                     "usual_name": "Martin"}
        self.codes, self.tokens = {}, {}
        #: Which answer to sign with the unpublished key: None, "id_token" or "userinfo".
        self.forge = None
        #: Lifetime of the ID tokens issued, in seconds; negative to issue them expired.
        self.id_token_lifetime = 300
        self.logouts = []
        self.url = None
        self.redirect_uri = None

    def signing_key(self, what):
        return self.rogue_key if self.forge == what else self.key

    def discovery(self):
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/session/end",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name"],
        }


def create_provider_app(provider):
    """Return the provider's Flask app."""
    app = Flask("oidc_provider")
    app.config["SECRET_KEY"] = "provider"

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            provider.codes[code] = Code(
                code=code, redirect_uri=request.payload.redirect_uri, scope=request.scope,
                nonce=data.get("nonce"), user=request.user, code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"))

        def query_authorization_code(self, code, client):
            return provider.codes.get(code)

        def delete_authorization_code(self, authorization_code):
            # A code is spent on first use: a replay finds nothing.
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class IDToken(OpenIDCode):
        def resolve_client_private_key(self, client):
            return provider.signing_key("id_token")

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": "provider-key"}

        def get_client_claims(self, client):
            now = int(time.time())
            return {"iss": provider.url, "aud": [CLIENT_ID], "iat": now, "exp": now + provider.id_token_lifetime}

        def exists_nonce(self, nonce, request):
            return False

        def generate_user_info(self, user, scope):
            return UserInfo(sub=user["sub"])

    def save_token(token, request):
        provider.tokens[token["access_token"]] = request.user

    server = AuthorizationServer(app, query_client=lambda client_id: (
        Client(provider.redirect_uri) if client_id == CLIENT_ID else None), save_token=save_token)
    server.register_grant(CodeGrant, [IDToken(require_nonce=True), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(provider.discovery())

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize():
        # The agent is taken as signed in and consenting: the tests are about Forums' side.
        user = dict(provider.user)
        return server.create_authorization_response(grant=server.get_consent_grant(end_user=user), grant_user=user)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.get("/userinfo")
    def userinfo():
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        user = provider.tokens.get(access_token) if scheme.lower() == "bearer" else None
        if user is None:
            abort(401)
        claims = dict(user, iss=provider.url, aud=CLIENT_ID)
        signed = jwt.encode({"alg": "RS256", "kid": "provider-key"}, claims, provider.signing_key("userinfo"))
        return Response(signed, content_type="application/jwt")

    @app.get("/session/end")
    def end_session():
        provider.logouts.append(request.args.get("id_token_hint"))
        target = request.args["post_logout_redirect_uri"]
        return redirect(f"{target}?{urlencode({'state': request.args.get('state', '')})}")

    return app


class RunningProvider:
    """The provider served by a thread on a loopback port."""

    def __init__(self, provider):
        self.server = make_server("127.0.0.1", 0, create_provider_app(provider), threaded=True)
        provider.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()
