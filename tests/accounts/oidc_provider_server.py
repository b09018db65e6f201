"""A real OpenID provider for the single sign-on tests: oidc-provider-mock in a process of
its own, on 127.0.0.1 and a free port (printed as "PORT <n>" once it listens).

Besides the provider's own endpoints (discovery, authorize, token, userinfo, JWKS,
end_session, and PUT /users/<sub> to set a person's claims), POST /_test/tokens sets how the
next ID tokens are made. The provider leaves the key id (``kid``) out of its ID tokens' header,
as OpenID Connect allows when the key set holds one key; ``{"kid": true}`` names the key, as
Entra ID and Keycloak do; ``{"iss": "..."}`` names another issuer; ``{"exp": -600}`` makes
them expired.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import flask  # noqa: E402
import werkzeug.serving  # noqa: E402
from oidc_provider_mock import _app  # noqa: E402

TOKENS: dict[str, object] = {}
_own_config = _app.OpenIDCode.get_jwt_config


def _jwt_config(self, grant, client=None):
    config = dict(_own_config(self, grant, client))
    if TOKENS.get("iss"):
        config["iss"] = TOKENS["iss"]
    if TOKENS.get("exp") is not None:
        config["exp"] = TOKENS["exp"]
    return config


def _encode_header(self, client):
    header = {"alg": _app._JWS_ALG}
    if TOKENS.get("kid"):
        header["kid"] = _app.storage.jwk.as_dict()["kid"]  # as the key set names it
    return header


_app.OpenIDCode.get_jwt_config = _jwt_config
_app.OpenIDCode.get_encode_header = _encode_header


def main() -> None:
    app = _app.app(require_nonce=True)

    @app.post("/_test/tokens")
    def tokens():
        TOKENS.clear()
        TOKENS.update(flask.request.get_json(force=True) or {})
        return "", 204

    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    sys.exit(main())
