"""Operator routes on who may act: staff members and API keys (issue, revoke; a customer's own revoke).

Every route requires exactly one Permission (exchange/access/roles.py); the
acting staff member is always the authenticated key's owner, never a body
field. A key's secret is answered once, when it is issued, and stored only
encrypted under the server key.
"""
import msgspec
from fastapi import APIRouter, Depends, Request

from api.auth.crypto import encrypt_secret, new_key_id, new_secret
from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.admin_customers import find_customer
from api.routes.staff_fields import Reason, ms
from exchange.access import CreateStaff, IssueApiKey, OwnerKind, Permission, RevokeApiKey, Role
from exchange.access.commands import customer_actor


class NewStaff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    staff_id: str
    name: str
    role: Role


class NewKey(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    owner_kind: OwnerKind
    owner_id: str
    label: str = "issued by staff"


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["admin"])
    staff_manager = require(runtime.authenticator, Permission.MANAGE_STAFF)
    key_manager = require(runtime.authenticator, Permission.MANAGE_KEYS)
    own_keys = require(runtime.authenticator, Permission.MANAGE_OWN_KEYS)

    @router.get("/admin/staff", summary="Staff members and their roles")
    async def list_staff(who=Depends(staff_manager)):
        venue = await durable_venue(runtime)
        return json_response({"staff": [{"staff_id": s.staff_id, "name": s.name, "role": s.role.value,
                                         "created_at_ms": ms(s.created_timestamp_ns)}
                                        for s in venue.access.staff_members()]})

    @router.post("/admin/staff", summary="Add a staff member; answers a first API key (secret shown once)",
                 status_code=201, openapi_extra=body_doc(NewStaff))
    async def create_staff(request: Request, who=Depends(staff_manager)):
        body = await parse_body(request, NewStaff)
        await submit(runtime, CreateStaff(staff_id=body.staff_id, name=body.name, role=body.role, actor=who.owner_id))
        key = await _issue(runtime, who.owner_id, OwnerKind.STAFF, body.staff_id, body.role, "first key")
        return json_response({"staff_id": body.staff_id, "name": body.name, "role": body.role.value, **key}, 201)

    @router.post("/admin/api-keys", summary="Issue an API key to a customer or staff member (secret shown once)",
                 status_code=201, openapi_extra=body_doc(NewKey))
    async def issue_key(request: Request, who=Depends(key_manager)):
        body = await parse_body(request, NewKey)
        venue = await durable_venue(runtime)
        if body.owner_kind == OwnerKind.CUSTOMER:
            find_customer(venue, _customer_number(body.owner_id))
            role = Role.TRADER
        else:
            member = venue.access.staff(body.owner_id)
            if member is None:
                raise ApiError("STAFF_NOT_FOUND", f"no staff member {body.owner_id!r}")
            role = member.role
        key = await _issue(runtime, who.owner_id, body.owner_kind, body.owner_id, role, body.label)
        return json_response({"owner_kind": body.owner_kind.value, "owner_id": body.owner_id, "role": role.value,
                              **key}, 201)

    @router.delete("/admin/api-keys/{key_id}", summary="Revoke anyone's API key, with a reason",
                   openapi_extra=body_doc(Reason))
    async def revoke_key(key_id: str, request: Request, who=Depends(key_manager)):
        body = await parse_body(request, Reason)
        await submit(runtime, RevokeApiKey(key_id=key_id, actor=who.owner_id, reason=body.reason))
        return json_response({"key_id": key_id, "revoked": True})

    @router.delete("/me/api-keys/{key_id}", summary="Revoke one of your own API keys", openapi_extra=body_doc(Reason))
    async def revoke_own_key(key_id: str, request: Request, who=Depends(own_keys)):
        body = await parse_body(request, Reason)
        key = (await durable_venue(runtime)).access.key(key_id)
        if key is None or key.owner_kind != OwnerKind.CUSTOMER or key.owner_id != who.owner_id:
            raise ApiError("KEY_NOT_FOUND", "no such key among yours")  # Another's key looks absent.
        await submit(runtime, RevokeApiKey(key_id=key_id, actor=customer_actor(who.owner_id), reason=body.reason))
        return json_response({"key_id": key_id, "revoked": True})

    return router


def _customer_number(owner_id: str) -> int:
    if not owner_id.isdigit():
        raise ApiError("CUSTOMER_NOT_FOUND", f"no customer {owner_id!r}")
    return int(owner_id)


async def _issue(runtime, actor: str, owner_kind: OwnerKind, owner_id: str, role: Role, label: str) -> dict:
    key_id, secret = new_key_id(), new_secret()
    await submit(runtime, IssueApiKey(key_id=key_id, owner_kind=owner_kind, owner_id=owner_id, role=role,
                                      secret_ciphertext=encrypt_secret(runtime.server_key, secret), label=label,
                                      actor=actor))
    return {"api_key": key_id, "secret": secret}
