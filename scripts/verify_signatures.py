#!/usr/bin/env python3
# Verifies one captured webhook delivery with the Standard Webhooks reference library
# (PyPI `standardwebhooks`), as a receiver would.
#
# Usage: verify_signatures.py FILE
#   FILE is JSON: {"headers": {name: value}, "body_base64": "...", "secrets": ["whsec_…"]},
#   written by tests/it/signatures.rs from a delivery it captured.
#
# It checks that the delivery verifies with every secret (so rotated secrets all work),
# and that a tampered body, a tampered webhook-id, an unknown secret and a stale timestamp
# (older than the library's 5-minute tolerance) all fail. Exit 0 when every check holds,
# 1 otherwise; one line per check on standard output.

import base64
import json
import os
import sys
import unittest.mock
from datetime import datetime, timedelta

import standardwebhooks.webhooks as webhooks_module
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def later(offset):
    """The library's clock, moved `offset` into the future."""

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + offset

    return unittest.mock.patch.object(webhooks_module, "datetime", Later)


def verified(secret, body, headers):
    """The parsed body if verification passes, else None."""
    try:
        return Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return None


def refused(secret, body, headers, expect=None):
    """Whether verification fails (and, given `expect`, with that reason)."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        return expect is None or expect in str(error)
    return False


def checks(delivery):
    headers = {name.lower(): value for name, value in delivery["headers"].items()}
    body = base64.b64decode(delivery["body_base64"])
    secrets = delivery["secrets"]
    unknown = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    timestamp = int(headers["webhook-timestamp"])

    for n, secret in enumerate(secrets):
        parsed = verified(secret, body, headers) or {}
        yield f"secret {n + 1} of {len(secrets)} verifies", (
            parsed.get("tracking_id") == headers["webhook-id"]
        )
        yield f"secret {n + 1}: a tampered body fails", refused(
            secret, body.replace(b"IXIS", b"IXIZ", 1), headers
        ) and refused(secret, body + b" ", headers)
        yield f"secret {n + 1}: a tampered webhook-id fails", refused(
            secret, body, {**headers, "webhook-id": headers["webhook-id"] + "x"}
        )
        with later(timedelta(minutes=4)):
            yield f"secret {n + 1}: still verifies 4 minutes later", (
                verified(secret, body, headers) is not None
            )
        with later(timedelta(minutes=5, seconds=30)):
            yield f"secret {n + 1}: stale 5.5 minutes later", refused(
                secret, body, headers, "too old"
            )
        stale = {**headers, "webhook-timestamp": str(timestamp - 301)}
        yield f"secret {n + 1}: a timestamp 301 s old fails", refused(
            secret, body, stale, "too old"
        )
    yield "a secret that was not configured fails", refused(unknown, body, headers)
    yield "signatures are v1 and one per secret", (
        [s.split(",")[0] for s in headers["webhook-signature"].split(" ")]
        == ["v1"] * len(secrets)
    )


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as file:
        delivery = json.load(file)
    failed = 0
    for name, held in checks(delivery):
        print(f"{'ok  ' if held else 'FAIL'} {name}")
        failed += not held
    print(f"{failed} check(s) failed" if failed else "all signature checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
