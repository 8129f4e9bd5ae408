"""ProConnect, the State's identity federation for agents, through OpenID Connect with Authlib.

Discovery, authorization code with PKCE (S256), ``state`` and ``nonce`` are Authlib's; the ID token
is checked by Authlib against the provider's keys. ProConnect answers userinfo as a signed JWT: it
is checked here against the same keys, its issuer, audience and subject. Off unless
FORUMS_PROCONNECT_CLIENT_ID is set; local passwords stay.

Authlib, joserfc and requests (with cryptography, some 18 MB per process) are imported only when
ProConnect is configured: a worker of a site without it never loads them.
"""
from flask import current_app, url_for

#: Where the session keeps the ID token of a ProConnect sign-in, sent back to the provider at logout.
ID_TOKEN_KEY = "proconnect_id_token"


class ProConnectError(ValueError):
    """Raised when the provider's answer cannot be trusted."""


def provider_errors():
    """Return what a failed exchange with the provider may raise: a refused, forged, replayed or unreachable answer.

    A function, so that the libraries load with ProConnect only: an ``except`` clause evaluates it
    only when an exception is being matched.
    """
    from authlib.integrations.flask_client import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    return OAuthError, JoseError, RequestException, ValueError


def init_app(app):
    """Register the ProConnect client on ``app`` when it is configured."""
    app.jinja_env.globals["proconnect_enabled"] = False
    if not app.config.get("PROCONNECT_CLIENT_ID"):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "proconnect",
        client_id=app.config["PROCONNECT_CLIENT_ID"],
        client_secret=app.config["PROCONNECT_CLIENT_SECRET"],
        server_metadata_url=app.config["PROCONNECT_DISCOVERY_URL"],
        client_kwargs={"scope": app.config["PROCONNECT_SCOPES"], "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions["proconnect"] = oauth.proconnect
    app.jinja_env.globals["proconnect_enabled"] = True


def client():
    """Return the running app's ProConnect client, or None when ProConnect is off."""
    return current_app.extensions.get("proconnect")


def verified_userinfo(remote, token):
    """Return the claims of the signed userinfo JWT for ``token``, checked; raise ProConnectError otherwise."""
    from joserfc import jwt
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    if "userinfo" not in token:
        raise ProConnectError("no ID token in the provider's answer")
    metadata = remote.load_server_metadata()
    response = remote.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        raise ProConnectError("userinfo is not a signed JWT")
    keys = KeySet.import_key_set(remote.fetch_jwk_set())
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or ["RS256", "ES256"]
    claims = jwt.decode(response.text, keys, registry=JWSRegistry(algorithms=algorithms)).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": remote.client_id},
        sub={"essential": True, "value": token["userinfo"]["sub"]},
    ).validate(claims)
    if not claims.get("email"):
        raise ProConnectError("userinfo carries no e-mail")
    return claims


def logout_redirect(id_token):
    """Return the redirection that ends the provider's session too, or None when the agent did not come from it.

    Called once the local session is gone: the logout ``state`` goes into the fresh one.
    """
    remote = client()
    if remote is None or not id_token:
        return None
    return remote.logout_redirect(post_logout_redirect_uri=url_for("auth.proconnect_logged_out", _external=True),
                                  id_token_hint=id_token)
