"""The review queue: oldest first; one item with previews, text, fields and candidates; decisions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases import review
from cases.checks import check_views, open_check_count, open_checks
from cases.review import pending_count, pending_ids
from extract.types import DocType
from filing.reread import reread_turned_page
from filing.web import deps
from filing.web.queries import (
    QUEUE_PAGE,
    item_detail,
    missing_fn,
    next_pending_after,
    queue_rows,
    search_case_rows,
    today_local,
)
from store import models as m
from store.users import StaffUser
from terms.errors import FilingError
from terms.labels import DOC_LABELS_FORMAL, doc_label

router = APIRouter()


def _threshold(request: Request) -> float:
    return deps.state(request).app.settings.matching.default_threshold


@router.get("/")
def home(user: StaffUser = Depends(deps.current_user)) -> Response:
    return deps.redirect("/queue")


@router.get("/queue")
def queue_page(request: Request, page: int = 1, user: StaffUser = Depends(deps.current_user),
               s: Session = Depends(deps.db)) -> Response:
    total = pending_count(s)
    pages = max(1, -(-total // QUEUE_PAGE))
    page = min(max(page, 1), pages)
    # The oldest waiting fact checks; all of them are on /checks.
    return deps.render(request, "queue.html", rows=queue_rows(s, page, _threshold(request)), total=total,
                       page=page, pages=pages, now_title="待审核",
                       checks=check_views(s, open_checks(s, limit=QUEUE_PAGE)), check_total=open_check_count(s))


@router.get("/queue/next")
def queue_next(user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    items = pending_ids(s)
    return deps.redirect(f"/queue/{items[0]}" if items else "/queue")


@router.get("/queue/{document_id}")
def item_page(request: Request, document_id: int, q: str = "", user: StaffUser = Depends(deps.current_user),
              s: Session = Depends(deps.db)) -> Response:
    item = item_detail(s, document_id, _threshold(request))
    if item is None:
        raise HTTPException(404, "该文书不存在")
    app = deps.state(request).app
    results = (search_case_rows(s, q, today_local(app), missing_fn(app), review.search_cases)
               if q.strip() else None)
    return deps.render(request, "item.html", item=item, q=q, results=results,
                       doc_types=[(t.value, DOC_LABELS_FORMAL.get(t.value, t.value)) for t in DocType])


def _doc_name(s: Session, document_id: int) -> str:
    """起诉状（第 3 号文件第 1—2 页） — how a clerk recognises a document; never a bare row id."""
    doc = s.get(m.Document, document_id)
    if doc is None:
        return "该文书"
    label = doc_label(doc.doc_type)
    name = f"{label}《{doc.attachment.filename}》"
    if doc.first_page <= 0:
        return name
    return name + (f"第{doc.first_page}页" if doc.last_page <= doc.first_page
                   else f"第{doc.first_page}—{doc.last_page}页")


def _case_of(s: Session, document_id: int) -> str:
    doc = s.get(m.Document, document_id)
    case = doc.case if doc is not None else None
    if case is None:
        return "（未归入案件）"
    return case.case_number or f"案件 #{case.id}（案号待核实）"


def _said(s: Session, document_id: int, template: str) -> Callable[[], str]:
    """The flash message, read after the decision: {doc} the document, {case} the case it is in now."""
    return lambda: template.format(doc=_doc_name(s, document_id), case=_case_of(s, document_id))


def _decide(request: Request, s: Session, user: StaffUser, document_id: int, done: Callable[[], str],
            action: Callable[[], object]) -> Response:
    """Run one decision in this request's transaction; then open the next pending item.

    `done` names what happened (the document and its case) once the decision is made."""
    before = pending_ids(s)
    try:
        action()
        s.commit()
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
        return deps.redirect(f"/queue/{document_id}")
    deps.flash(request, done())
    nxt = next_pending_after(s, document_id, before)
    return deps.redirect(f"/queue/{nxt}" if nxt is not None else "/queue")


@router.post("/queue/{document_id}/confirm")
def confirm(request: Request, document_id: int, case_id: int | None = Form(None),
            user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, _said(s, document_id, "{doc} 已归入 {case}"),
                   lambda: review.confirm(s, document_id, user.name, case_id, _threshold(request)))


@router.post("/queue/{document_id}/reassign")
def reassign(request: Request, document_id: int, case_id: int = Form(...),
             user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, _said(s, document_id, "{doc} 已改归 {case}"),
                   lambda: review.reassign(s, document_id, case_id, user.name))


@router.post("/queue/{document_id}/create-case")
def create_case(request: Request, document_id: int, case_number: str = Form(""),
                user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, _said(s, document_id, "已新建案件 {case}，{doc} 已归入"),
                   lambda: review.create_case(s, document_id, user.name, case_number.strip() or None))


@router.post("/queue/{document_id}/type")
def change_type(request: Request, document_id: int, doc_type: str = Form(...),
                user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    # The document stays in the queue after a type change: the reviewer still has to file it.
    try:
        review.change_type(s, document_id, doc_type, user.name)
        s.commit()
        deps.flash(request, "文书类型已修改")
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
    return deps.redirect(f"/queue/{document_id}")


@router.post("/queue/{document_id}/split")
def split(request: Request, document_id: int, at_page: int = Form(...),
          user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    try:
        second = review.split_document(s, document_id, at_page, user.name)
        s.commit()
        deps.flash(request, f"已在第 {at_page} 页前拆分；后半部分为 {_doc_name(s, second.id)}，在待审核中")
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
    return deps.redirect(f"/queue/{document_id}")


@router.post("/queue/{document_id}/merge")
def merge(request: Request, document_id: int, other_id: int = Form(...),
          user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    try:
        other = _doc_name(s, other_id)
        review.merge_documents(s, document_id, other_id, user.name)
        s.commit()
        deps.flash(request, f"已将 {other} 合并进来")
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
    return deps.redirect(f"/queue/{document_id}")


@router.post("/queue/{document_id}/pages/{page_id}/reread")
def reread(request: Request, document_id: int, page_id: int, turn: int = Form(0),
           user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    """Read a page again the way the person turned it in the viewer."""
    page = s.get(m.Page, page_id)
    if page is None:
        raise HTTPException(404, "该页面不存在")
    s.commit()  # OCR and re-filing run in their own transactions
    try:
        done = reread_turned_page(deps.state(request).app, page_id, turn, user.name)
    except FilingError as e:
        deps.flash(request, f"重新识别失败：{e.message}")
        return deps.redirect(f"/queue/{document_id}")
    text = (f"第 {done.page_number} 页已旋转至 {done.rotation}° 重新识别（原 {done.chars_before} 字，现 "
            f"{done.chars_after} 字）")
    if done.refiled:
        text += "；已按新文字重新分类和归档"
    else:
        text += "；该邮件中已有人工确认的文书，未重新分类，请核对本页文字"
    deps.flash(request, text)
    return deps.redirect(f"/queue/{done.document_id}" if done.document_id is not None else "/queue")


@router.post("/queue/{document_id}/not-litigation")
def not_litigation(request: Request, document_id: int, user: StaffUser = Depends(deps.current_user),
                   s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, _said(s, document_id, "{doc} 已标记为非诉讼材料"),
                   lambda: review.mark_not_litigation(s, document_id, user.name))
