"""A real OpenID provider for the single sign-on tests: oidc-provider-mock in a process of
its own, on 127.0.0.1 and a free port (printed as "PORT <n>" once it listens).

Besides the provider's own endpoints (discovery, authorize, token, userinfo, JWKS,
end_session, and PUT /users/<sub> to set a person's claims), POST /_test/tokens sets how the
next ID tokens are made, as a misbehaving or differently built provider would make them:
``{"kid": false}`` leaves the key id out of the header (allowed when the key set has one
key), ``{"iss": "..."}`` names another issuer, ``{"exp": -600}`` makes them expired.
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
    if TOKENS.get("kid") is False:
        key = dict(config["key"])
        key.pop("kid", None)
        config["key"] = key
    if TOKENS.get("iss"):
        config["iss"] = TOKENS["iss"]
    if TOKENS.get("exp") is not None:
        config["exp"] = TOKENS["exp"]
    return config


_app.OpenIDCode.get_jwt_config = _jwt_config


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
