"""A passkey device in Python, for tests that talk to the server without a browser: it makes an
EC P-256 key pair per passkey and answers WebAuthn options exactly as a device does (attestation
"none", authenticator data, a signature over it and the client data). The server's checks run on
real WebAuthn data; nothing of the server is replaced.

The browser tests use Chromium's own virtual authenticator instead (tests/browser/test_passkeys.py).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested credential data


@dataclass
class StoredPasskey:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    """``counts``: whether the device keeps a signature counter (synced passkeys send 0)."""

    user_verified: bool = True
    counts: bool = False
    passkeys: list[StoredPasskey] = field(default_factory=list)

    def create(self, options: dict[str, Any], origin: str) -> str:
        """navigator.credentials.create(): a new passkey; the credential as the page posts it."""
        rp_id = options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        stored = StoredPasskey(secrets.token_bytes(32), key, rp_id, base64url_to_bytes(options["user"]["id"]))
        self.passkeys.append(stored)
        numbers = key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        attested = bytes(16) + struct.pack(">H", len(stored.credential_id)) + stored.credential_id
        auth_data = self._auth_data(rp_id, AT, 0) + attested + cbor2.dumps(cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin)
        return _credential(
            stored,
            {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
        )

    def get(
        self,
        options: dict[str, Any],
        origin: str,
        *,
        passkey: StoredPasskey | None = None,
        rp_id: str | None = None,
        sign_count: int | None = None,
        bad_signature: bool = False,
    ) -> str:
        """navigator.credentials.get(): an assertion by ``passkey`` (the last one made by default).
        The keyword arguments make the answers a broken or hostile device would give."""
        stored = passkey or self.passkeys[-1]
        if sign_count is not None:
            stored.sign_count = sign_count
        elif self.counts:
            stored.sign_count += 1
        auth_data = self._auth_data(rp_id or stored.rp_id, 0, stored.sign_count)
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = stored.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        if bad_signature:
            other = ec.generate_private_key(ec.SECP256R1())
            signature = other.sign(signed, ec.ECDSA(hashes.SHA256()))
        return _credential(
            stored,
            {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(stored.user_handle),
            },
        )

    def _auth_data(self, rp_id: str, extra_flags: int, sign_count: int) -> bytes:
        flags = UP | (UV if self.user_verified else 0) | extra_flags
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)


def _credential(passkey: StoredPasskey, response: dict[str, Any]) -> str:
    """The passkey's public-key credential with the device's ``response``, as the page posts it."""
    return json.dumps(
        {
            "id": bytes_to_base64url(passkey.credential_id),
            "rawId": bytes_to_base64url(passkey.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
        }
    )


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()
