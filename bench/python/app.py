"""Auth0's quickstart routes served with Auth0's Python SDK, the reference for scripts/bench.

Reads AUTH0_DOMAIN (host and port of the issuer, which the SDK reaches over https) and
AUTH0_AUDIENCE. The issuer's CA must be trusted through SSL_CERT_FILE.
"""

import os

from fastapi import Depends, FastAPI
from fastapi_plugin import Auth0FastAPI

app = FastAPI()
auth0 = Auth0FastAPI(
    domain=os.environ["AUTH0_DOMAIN"],
    audience=os.environ["AUTH0_AUDIENCE"],
    dpop_enabled=True,
)


@app.get("/api/public")
async def public() -> dict:
    return {
        "message": "Hello from a public endpoint! You don't need to be authenticated to see this."
    }


@app.get("/api/private")
async def private(claims: dict = Depends(auth0.require_auth())) -> dict:
    return {
        "message": "Hello from a private endpoint! You need to be authenticated to see this.",
        "user_id": claims.get("sub"),
    }
