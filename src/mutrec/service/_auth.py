"""CDS Hooks authorisation: the EHR's JWT bearer token, verified against its issuer's keys.

CDS Hooks 2.0 has the client sign a short-lived JWT (``iss``, ``aud`` = the service's URL,
``exp``, ``iat``, ``jti``) with an asymmetric key whose public half the service knows. Refused,
each with a 401 problem: no token, a token that is not a JWT, ``alg`` none or HMAC (a shared
secret proves nothing about who signed), an unknown issuer or key, a bad signature, an expired
token, a wrong audience, a missing claim, a token used before (its ``jti``).
"""

from __future__ import annotations

from typing import Any, Final

from mutrec.service._config import Issuer
from mutrec.service._state import HttpProblem, ServiceState

__all__ = ["verify"]

_LEEWAY_SECONDS: Final = 30
_REQUIRED: Final = ["exp", "iat", "iss", "aud", "jti"]


def _refuse(detail: str) -> HttpProblem:
    return HttpProblem(401, "invalid-token", detail)


def _keys(issuer: Issuer, kid: object) -> list[Any]:
    import jwt

    keys = []
    for jwk in issuer.keys:
        if kid is not None and jwk.get("kid") not in {None, kid}:
            continue
        try:
            keys.append(jwt.PyJWK(dict(jwk)).key)
        except (jwt.PyJWKError, ValueError, TypeError, KeyError):
            continue  # a key the service cannot use is no key
    return keys


def verify(  # noqa: C901, PLR0912 (one refusal per way a token fails, in order)
    state: ServiceState, authorization: str | None, url: str
) -> Issuer | None:
    """The issuer whose valid JWT *authorization* carries, or ``None`` on a test bench.

    Raises:
        HttpProblem: 401 when the token is absent or does not verify.
    """
    config = state.config
    if authorization is None and config.insecure_no_auth:
        return None
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        msg = "a CDS Hooks call needs 'Authorization: Bearer <JWT>' signed by a known EHR"
        raise _refuse(msg)
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        msg = "the bearer token is not a JWT"
        raise _refuse(msg) from None
    alg = header.get("alg")
    if alg not in config.algorithms:
        msg = f"alg {str(alg)[:20]!r} is refused: sign with ES384 or RS384"
        raise _refuse(msg)
    issuer = next((i for i in config.issuers if i.iss == claims.get("iss")), None)
    if issuer is None:
        msg = "the token's iss is not a configured issuer"
        raise _refuse(msg)
    keys = _keys(issuer, header.get("kid"))
    if not keys:
        msg = "no key of this issuer matches the token's kid"
        raise _refuse(msg)
    audience = list(config.audience) or [url]
    failure = "the token does not verify"
    for key in keys:
        try:
            verified = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer.iss,
                leeway=_LEEWAY_SECONDS,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            failure = "the token has expired"
        except jwt.InvalidAudienceError:
            failure = "the token's aud is not this service"
        except jwt.MissingRequiredClaimError as error:
            failure = f"the token lacks the {error.claim!r} claim"
        except (jwt.PyJWTError, ValueError, TypeError):
            continue
        else:
            if not state.replays.first(issuer.iss, str(verified["jti"]), float(verified["exp"])):
                msg = "the token was used before (jti): sign a new one for each call"
                raise _refuse(msg)
            return issuer
    raise _refuse(failure)
