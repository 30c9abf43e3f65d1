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
from store.users import StaffUser
from terms.errors import FilingError
from terms.labels import DOC_LABELS_FORMAL

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


def _decide(request: Request, s: Session, user: StaffUser, document_id: int, done: str,
            action: Callable[[], object]) -> Response:
    """Run one decision in this request's transaction; then open the next pending item."""
    before = pending_ids(s)
    try:
        action()
        s.commit()
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
        return deps.redirect(f"/queue/{document_id}")
    deps.flash(request, done)
    nxt = next_pending_after(s, document_id, before)
    return deps.redirect(f"/queue/{nxt}" if nxt is not None else "/queue")


@router.post("/queue/{document_id}/confirm")
def confirm(request: Request, document_id: int, case_id: int | None = Form(None),
            user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, f"文书 {document_id} 已确认归档",
                   lambda: review.confirm(s, document_id, user.name, case_id, _threshold(request)))


@router.post("/queue/{document_id}/reassign")
def reassign(request: Request, document_id: int, case_id: int = Form(...),
             user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, f"文书 {document_id} 已改归其他案件",
                   lambda: review.reassign(s, document_id, case_id, user.name))


@router.post("/queue/{document_id}/create-case")
def create_case(request: Request, document_id: int, case_number: str = Form(""),
                user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, f"已由文书 {document_id} 新建案件",
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
        deps.flash(request, f"已在第 {at_page} 页前拆分；后半部分为文书 {second.id}")
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
    return deps.redirect(f"/queue/{document_id}")


@router.post("/queue/{document_id}/merge")
def merge(request: Request, document_id: int, other_id: int = Form(...),
          user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    try:
        review.merge_documents(s, document_id, other_id, user.name)
        s.commit()
        deps.flash(request, f"已将文书 {other_id} 合并进来")
    except (FilingError, ValueError) as e:
        s.rollback()
        deps.flash(request, f"操作失败：{getattr(e, 'message', str(e))}")
    return deps.redirect(f"/queue/{document_id}")


@router.post("/queue/{document_id}/not-litigation")
def not_litigation(request: Request, document_id: int, user: StaffUser = Depends(deps.current_user),
                   s: Session = Depends(deps.db)) -> Response:
    return _decide(request, s, user, document_id, f"文书 {document_id} 已标记为非诉讼材料",
                   lambda: review.mark_not_litigation(s, document_id, user.name))
