"""Attachments, page previews and raw messages: login required, never rendered by us as HTML."""

from __future__ import annotations

import io

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from filing.web import deps
from filing.web.security import file_response
from store import models as m
from store.users import StaffUser

router = APIRouter()


@router.get("/files/attachment/{attachment_id}")
def attachment(request: Request, attachment_id: int, user: StaffUser = Depends(deps.current_user),
               s: Session = Depends(deps.db)) -> Response:
    att = s.get(m.Attachment, attachment_id)
    blobs = deps.state(request).app.blobs
    if att is None or not blobs.has(att.sha256):
        raise HTTPException(404, "附件不存在")
    return file_response(blobs.get(att.sha256), att.content_type, att.filename or f"attachment-{att.id}")


@router.get("/files/page/{page_id}/preview.png")
def preview(request: Request, page_id: int, user: StaffUser = Depends(deps.current_user),
            s: Session = Depends(deps.db)) -> Response:
    page = s.get(m.Page, page_id)
    blobs = deps.state(request).app.blobs
    if page is None or page.preview_sha256 is None or not blobs.has(page.preview_sha256):
        raise HTTPException(404, "该页没有预览图")
    data = blobs.get(page.preview_sha256)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise HTTPException(404, "预览图已损坏")
    return file_response(data, "image/png", f"page-{page.number}.png", inline=True)


@router.get("/files/page/{page_id}/region.png")
def region(request: Request, page_id: int, top: float = 0.0, bottom: float = 1.0,
           user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    """A horizontal band of a page preview (top..bottom as fractions of its height), e.g. the signature
    block where a decision date is printed, shown larger in a fact check."""
    page = s.get(m.Page, page_id)
    blobs = deps.state(request).app.blobs
    if page is None or page.preview_sha256 is None or not blobs.has(page.preview_sha256):
        raise HTTPException(404, "该页没有预览图")
    if not 0.0 <= top < bottom <= 1.0:
        raise HTTPException(400, "区域参数不正确")
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blobs.get(page.preview_sha256))) as img:
            band = img.crop((0, int(img.height * top), img.width, int(img.height * bottom)))
            out = io.BytesIO()
            band.save(out, format="PNG")
    except OSError as e:
        raise HTTPException(404, "预览图已损坏") from e
    return file_response(out.getvalue(), "image/png", f"page-{page.number}-region.png", inline=True)


@router.get("/files/message/{message_id}.eml")
def raw_message(request: Request, message_id: int, user: StaffUser = Depends(deps.current_user),
                s: Session = Depends(deps.db)) -> Response:
    msg = s.get(m.Message, message_id)
    blobs = deps.state(request).app.blobs
    if msg is None or not blobs.has(msg.raw_sha256):
        raise HTTPException(404, "邮件不存在")
    return file_response(blobs.get(msg.raw_sha256), "message/rfc822", f"message-{msg.id}.eml")
