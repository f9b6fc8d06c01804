"""Patent search service: the index behind one interface, usage counts.

The index (``search.index``) answers which patents match and in what order; the
database stays the source of every value shown, so a page's rows are loaded
by id after the search and highlighted here.
"""

from __future__ import annotations

import csv
import html
import io
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import jieba
from sqlalchemy import Connection, Select, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.errors import InvalidInput
from ipbureau.documents import spreadsheet
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import chain_by_code
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no
from ipbureau.policy import policy
from ipbureau.reference.ipc import IpcFormatError, ipc_prefixes, normalise_ipc
from ipbureau.reference.service import district_map
from ipbureau.search.index import IndexDoc, IndexQuery, date_key, encode, get_index, tokenize
from ipbureau.search.schemas import MAX_PAGE_SIZE, PatentQuery, SearchHit, SearchPage
from ipbureau.search.usage import count_use

__all__ = ["ExportFile", "SearchInputError", "export", "export_file", "index_patents", "reindex_all",
           "remove_patents", "search"]

INDEX_CHUNK = 500
REINDEX_BATCH = 2000
EXPORT_LIMIT = 5000
ABSTRACT_WINDOW = 160
# Characters of context kept before the first match in an abstract excerpt.
ABSTRACT_LEAD = 40

PUBLICATION_NO_RE = re.compile(r"^CN\d{7,10}[A-Z]\d?$")
MAIN_GROUP_RE = re.compile(r"^[A-H]\d{2}[A-Z]\d{1,4}$")

EXPORT_HEADERS = ("申请号", "公开（公告）号", "专利类型", "名称", "申请人", "主分类号", "分类号", "申请日", "授权公告日",
                  "法律状态", "所属区", "数据类别", "摘要")


class SearchInputError(InvalidInput):
    """A query the user must correct; the message names the field and is shown as is (zh-CN)."""


# -- indexing -------------------------------------------------------------------


def _joined(text: str | None) -> str:
    return " ".join(tokenize(text))


def _ipc_prefix_set(codes: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(p for code in codes for p in ipc_prefixes(code)))


def _doc(patent_id: int, application_no: str, publication_no: str | None, title: str, abstract: str | None,
         claims: str | None, applicants: Sequence[str], patent_type: str, legal_status: str, district_code: str | None,
         province_code: str | None, dataset: str, ipc_codes: Sequence[str], filing_date: date | None,
         grant_date: date | None) -> IndexDoc:
    return IndexDoc(
        id=patent_id, application_no=application_no, publication_no=publication_no, title=_joined(title),
        abstract=_joined(abstract), claims=_joined(claims), applicants=" ".join(_joined(a) for a in applicants),
        patent_type=str(patent_type), legal_status=str(legal_status), district_code=district_code,
        province_code=province_code, dataset=str(dataset),
        ipc_prefixes=_ipc_prefix_set(ipc_codes), filing=date_key(filing_date), grant=date_key(grant_date),
    )


def _doc_from_patent(p: Patent) -> IndexDoc:
    return _doc(p.id, p.application_no, p.publication_no, p.title, p.abstract, p.claims, p.applicant_names,
                p.patent_type, p.legal_status, p.district_code, p.province_code, p.dataset, p.ipc_list, p.filing_date,
                p.grant_date)


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def index_patents(session: Session, patent_ids: Sequence[int]) -> int:
    """Add or replace these patents in the index; ids no longer in the database are removed."""
    ids = list(dict.fromkeys(patent_ids))
    docs: list[IndexDoc] = []
    found: set[int] = set()
    for chunk in _chunks(ids, INDEX_CHUNK):
        rows = session.scalars(
            select(Patent).where(Patent.id.in_(chunk))
            .options(selectinload(Patent.applicants), selectinload(Patent.ipc_codes))
        ).all()
        for patent in rows:
            found.add(patent.id)
            docs.append(_doc_from_patent(patent))
    return get_index().write(docs, delete_ids=[i for i in ids if i not in found])


def remove_patents(patent_ids: Sequence[int]) -> None:
    get_index().write(delete_ids=list(patent_ids))


_REINDEX_COLUMNS = (Patent.id, Patent.application_no, Patent.publication_no, Patent.title, Patent.abstract,
                    Patent.claims, Patent.patent_type, Patent.legal_status, Patent.district_code, Patent.province_code,
                    Patent.dataset,
                    Patent.filing_date, Patent.grant_date)


def _children(model: type[PatentApplicant] | type[PatentIpc], value: Any, where: Any) -> Select[Any]:
    """(patent id, value) of a patent's child rows (applicants, IPC codes), in each patent's order."""
    return select(model.patent_id, value).where(where).order_by(model.patent_id, model.position)


def _by_patent(rows: Iterable[Any]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for patent_id, value in rows:
        grouped.setdefault(patent_id, []).append(value)
    return grouped


def _reindex_batches(session: Session | Connection, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Keyset-paged plain rows plus two child queries per batch: no ORM objects, no per-row queries.

    Yields the arguments of ``_doc`` per patent (plain tuples, so they can go to worker processes).
    """
    last_id = 0
    while True:
        rows = session.execute(
            select(*_REINDEX_COLUMNS).where(Patent.id > last_id).order_by(Patent.id).limit(batch_size)
        ).all()
        if not rows:
            return
        low, high = rows[0].id, rows[-1].id
        applicants = _by_patent(session.execute(_children(PatentApplicant, PatentApplicant.name,
                                                          PatentApplicant.patent_id.between(low, high))))
        ipcs = _by_patent(session.execute(_children(PatentIpc, PatentIpc.code, PatentIpc.patent_id.between(low, high))))
        yield [
            (r.id, r.application_no, r.publication_no, r.title, r.abstract, r.claims, applicants.get(r.id, ()),
             r.patent_type, r.legal_status, r.district_code, r.province_code, r.dataset, ipcs.get(r.id, ()), r.filing_date,
             r.grant_date)
            for r in rows
        ]
        last_id = high


def _docs_of_batch(batch: list[tuple[Any, ...]]) -> list[IndexDoc]:
    return [_doc(*args) for args in batch]


def _encoded_batch(batch: list[tuple[Any, ...]]) -> list[str]:
    # Runs in a worker process: tokenised and encoded there, so the writer only parses strings it receives.
    return [encode(_doc(*args)) for args in batch]


def reindex_all(session: Session, *, batch_size: int = REINDEX_BATCH, workers: int | None = None) -> int:
    """Rebuild the whole index from the database; searches see the old index until the commit.

    jieba tokenisation is nearly all of the work and holds the GIL, so batches are
    tokenised in worker processes (one per core by default; ``workers=1`` stays in
    this process). Only the CLI and benchmarks call this; the web server indexes
    imports in-process through ``index_patents``.
    """
    workers = workers or os.cpu_count() or 1
    total = 0
    with get_index().bulk_writer() as writer:
        # Core rows on the session's connection: a quarter less CPU per row than through the ORM session.
        batches = _reindex_batches(session.connection(), batch_size)
        if workers == 1:
            for batch in batches:
                writer.add(_docs_of_batch(batch))
                total += len(batch)
            return total
        jieba.initialize()  # once in the parent, inherited by the forked workers
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending: deque[Future[list[str]]] = deque()
            for batch in batches:
                pending.append(pool.submit(_encoded_batch, batch))
                # Keep a few batches in flight: enough to keep every worker busy, not the whole table in memory.
                while len(pending) > 2 * workers:
                    docs = pending.popleft().result()
                    writer.add_encoded(docs)
                    total += len(docs)
            while pending:
                docs = pending.popleft().result()
                writer.add_encoded(docs)
                total += len(docs)
    return total


# -- querying -------------------------------------------------------------------


def _ipc_filter(raw: str) -> str:
    text = re.sub(r"\s+", "", raw).upper().replace("／", "/")
    if MAIN_GROUP_RE.match(text):
        # "H04N5" means the main group H04N5/00 and everything under it.
        text += "/00"
    try:
        return normalise_ipc(text)
    except IpcFormatError:
        raise SearchInputError(f"IPC 分类号“{raw}”格式不正确（应如 H04N、H04N5/00 或 H04N5/225）") from None


def _exact_number(q: str) -> tuple[str, str] | None:
    """An application or publication number typed as the query: (index field, value)."""
    compact = re.sub(r"[\s\u3000]", "", q).upper()
    if not re.search(r"\d{7}", compact):
        return None
    try:
        return "application_no", normalise_application_no(compact)
    except ApplicationNumberError:
        pass
    if PUBLICATION_NO_RE.match(compact):
        return "publication_no", compact
    return None


def _check_range(label: str, low: date | None, high: date | None) -> tuple[int | None, int | None] | None:
    if low is None and high is None:
        return None
    if low and high and low > high:
        raise SearchInputError(f"{label}的起始日期 {low.isoformat()} 晚于截止日期 {high.isoformat()}")
    return (date_key(low) if low else None, date_key(high) if high else None)


def build_index_query(query: PatentQuery, session: Session | None = None) -> tuple[IndexQuery, list[str]]:
    """The index query for a user's query, and the words to highlight; SearchInputError if it cannot run."""
    iq = IndexQuery()
    words: list[str] = []
    q = (query.q or "").strip()
    if q:
        number = _exact_number(q)
        if number:
            iq.terms[number[0]] = number[1]
        else:
            words = tokenize(q)
            iq.words = words
    for name in ("patent_type", "legal_status", "district_code", "province_code", "dataset"):
        value = getattr(query, name)
        if value:
            iq.terms[name] = str(value)
    if query.chain:
        chain = chain_by_code(query.chain, session)  # on the caller's session: no second connection
        if chain is None:
            raise SearchInputError(f"未知的产业链“{query.chain}”")
        # Index terms hold every code's subclass, main group and the code itself, so a
        # chain's prefixes (subclasses or main groups) match as plain terms.
        iq.any_terms["ipc"] = [_ipc_filter(prefix) for prefix in chain.all_ipc_prefixes()]
    if query.ipc and query.ipc.strip():
        iq.terms["ipc"] = _ipc_filter(query.ipc)
    if query.applicant:
        applicant_words = tokenize(query.applicant)
        if applicant_words:
            iq.required_words["applicants"] = applicant_words
    for field_name, label, low, high in (("filing", "申请日", query.filing_from, query.filing_to),
                                         ("grant", "授权公告日", query.grant_from, query.grant_to)):
        bounds = _check_range(label, low, high)
        if bounds:
            iq.ranges[field_name] = bounds
    return iq, words


def _filters_for_usage(query: PatentQuery) -> dict[str, Any]:
    return {k: v for k, v in query.conditions().items() if k != "q"}


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    # Longest first, so "传感器" wins over "传感" at the same position.
    unique = sorted(set(w for w in words if w), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in unique), re.IGNORECASE) if unique else None


def highlight(text: str | None, pattern: re.Pattern[str] | None) -> str:
    """HTML-safe text with matches wrapped in <mark>.

    Matching runs on the raw text and each piece is escaped on its own, so a word
    like "amp" can never match inside an escape sequence such as "&amp;".
    """
    if not text:
        return ""
    if pattern is None:
        return html.escape(text)
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[pos:match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        pos = match.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def abstract_excerpt(text: str | None, pattern: re.Pattern[str] | None, width: int = ABSTRACT_WINDOW) -> str:
    """About ``width`` characters around the first match, highlighted."""
    if not text:
        return ""
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - ABSTRACT_LEAD) if match else 0
    start = max(0, min(start, len(text) - width))
    end = min(len(text), start + width)
    return ("…" if start else "") + highlight(text[start:end], pattern) + ("…" if end < len(text) else "")


# The displayed columns of the hits and their applicants, in one statement built once: the ids are an expanding
# parameter, so nothing is compiled per search. Measured on 50k patents (CPU per search of 20 hits): ORM rows with
# their children 2.7 ms; these columns through the ORM session, two statements, 1.8 ms; through the connection,
# two statements, 0.9 ms; this join, 0.65 ms. Storing the fields in the index was not taken: the database stays
# the source of every value shown (a legal status changed there is shown at once).
_HIT_ROWS = (
    select(Patent.id, Patent.application_no, Patent.title, Patent.abstract, Patent.patent_type, Patent.ipc_main,
           Patent.district_code, Patent.filing_date, Patent.grant_date, Patent.legal_status, Patent.dataset,
           PatentApplicant.name.label("applicant"))
    .outerjoin(PatentApplicant, PatentApplicant.patent_id == Patent.id)
    .where(Patent.id.in_(bindparam("ids", expanding=True)))
    .order_by(Patent.id, PatentApplicant.position)
)


def _hit_rows(session: Session, ids: list[int], scores: list[float]) -> Iterator[tuple[Any, float, list[str]]]:
    """The displayed columns of these patents in the index's order, with their applicants' names (no ORM objects;
    the claims, often most of a record's text, are never read)."""
    if not ids:
        return
    rows: dict[int, Any] = {}
    applicants: dict[int, list[str]] = {}
    for row in session.connection().execute(_HIT_ROWS, {"ids": ids}):
        rows[row.id] = row
        names = applicants.setdefault(row.id, [])
        if row.applicant is not None:
            names.append(row.applicant)
    for patent_id, score in zip(ids, scores, strict=True):
        row = rows.get(patent_id)
        if row is not None:  # removed from the database since it was indexed
            yield row, score, applicants[patent_id]


def search(session: Session, query: PatentQuery, page: int = 1, page_size: int = 20, *, user: Any | None = None,
           record: bool = True) -> SearchPage:
    """One page of results: by BM25 relevance when there are words, else newest filing date first.

    ``user`` is the person searching (checked against the policy and counted); internal callers (statistics
    drill-downs, scripts) pass none. Counts one 'search' use unless ``record`` is false.
    """
    if user is not None:
        policy.authorize(session, user, "patent", "search")
    started = time.perf_counter()
    iq, words = build_index_query(query, session)
    page = max(1, page)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    result = get_index().search(iq, offset=(page - 1) * page_size, limit=page_size)
    pattern = _pattern(words)
    hits = [
        SearchHit(
            id=r.id, application_no=r.application_no, title=r.title, title_highlight=highlight(r.title, pattern),
            abstract_highlight=abstract_excerpt(r.abstract, pattern), patent_type=r.patent_type,
            applicants=applicants, ipc_main=r.ipc_main, district_code=r.district_code,
            filing_date=r.filing_date, grant_date=r.grant_date, legal_status=r.legal_status, dataset=r.dataset,
            score=score,
        )
        for r, score, applicants in _hit_rows(session, result.ids, result.scores)
    ]
    if record:
        count_use(user, "search", query_text=query.q, filters=_filters_for_usage(query), result_count=result.total)
    return SearchPage(total=result.total, page=page, page_size=page_size, hits=hits,
                      took_ms=round((time.perf_counter() - started) * 1000, 2))


# -- export ---------------------------------------------------------------------


# The exported columns, by id (an expanding parameter: compiled once). Plain rows and two child queries per chunk
# rather than ORM objects with their collections: the ORM's identity map and relationship loading were about half
# of an export's database time.
_EXPORT_ROWS = select(
    Patent.id, Patent.application_no, Patent.publication_no, Patent.patent_type, Patent.title, Patent.ipc_main,
    Patent.filing_date, Patent.grant_date, Patent.legal_status, Patent.district_code, Patent.dataset, Patent.abstract,
).where(Patent.id.in_(bindparam("ids", expanding=True)))
_EXPORT_APPLICANTS = _children(PatentApplicant, PatentApplicant.name,
                               PatentApplicant.patent_id.in_(bindparam("ids", expanding=True)))
_EXPORT_IPCS = _children(PatentIpc, PatentIpc.code, PatentIpc.patent_id.in_(bindparam("ids", expanding=True)))
_TYPE_LABELS = {t.value: t.label for t in PatentType}
_STATUS_LABELS = {s.value: s.label for s in LegalStatus}
_DATASET_LABELS = {d.value: d.label for d in Dataset}


def _export_rows(session: Session, ids: list[int]) -> Iterator[list[Any]]:
    """The rows of these patents in the given (search) order, read a chunk at a time."""
    districts = district_map(session)
    connection = session.connection()
    for chunk in _chunks(ids, INDEX_CHUNK):
        params = {"ids": chunk}
        rows = {row.id: row for row in connection.execute(_EXPORT_ROWS, params)}
        applicants = _by_patent(connection.execute(_EXPORT_APPLICANTS, params))
        ipcs = _by_patent(connection.execute(_EXPORT_IPCS, params))
        for patent_id in chunk:
            p = rows.get(patent_id)
            if p is None:  # removed from the database since it was indexed
                continue
            yield [
                p.application_no, p.publication_no, _TYPE_LABELS.get(p.patent_type, p.patent_type), p.title,
                "；".join(applicants.get(patent_id, ())), p.ipc_main, "；".join(ipcs.get(patent_id, ())),
                p.filing_date, p.grant_date, _STATUS_LABELS.get(p.legal_status, p.legal_status),
                districts.get(p.district_code or "", ""), _DATASET_LABELS.get(p.dataset, p.dataset), p.abstract,
            ]


def _xlsx(rows: Iterator[list[Any]]) -> bytes:
    """The rows as one sheet, by the platform's one writer (XlsxWriter in constant-memory mode: each row is written
    out as it comes, so memory does not grow with the rows)."""
    return spreadsheet.table("专利检索结果", EXPORT_HEADERS, rows, widths=())


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    # A leading = + - @ would make Excel evaluate the cell as a formula (CSV injection).
    return spreadsheet.inert(value)


def _csv(rows: Iterator[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    # The BOM makes Excel read the file as UTF-8 rather than the system's GBK.
    return buffer.getvalue().encode("utf-8-sig")


def export(session: Session, query: PatentQuery, fmt: Literal["xlsx", "csv"], limit: int = EXPORT_LIMIT, *,
           user: Any | None = None) -> bytes:
    """The query's results (in search order, at most ``limit``) as an Excel or CSV file; counts one 'export' use.

    ``user``: as for ``search``."""
    if user is not None:
        policy.authorize(session, user, "patent", "export")
    if fmt not in ("xlsx", "csv"):
        raise SearchInputError("导出格式", f"不支持“{fmt}”（可选 xlsx 或 csv）")
    iq, _ = build_index_query(query, session)
    result = get_index().search(iq, offset=0, limit=max(1, min(limit, EXPORT_LIMIT)))
    rows = _export_rows(session, result.ids)
    data = _xlsx(rows) if fmt == "xlsx" else _csv(rows)
    count_use(user, "export", query_text=query.q, filters={**_filters_for_usage(query), "format": fmt},
              result_count=len(result.ids))
    return data


MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def export_file(session: Session, query: PatentQuery, fmt: Literal["xlsx", "csv"], *, user: Any) -> ExportFile:
    """The export as a download; its name is made of the date and the validated format only."""
    content = export(session, query, fmt, user=user)
    return ExportFile(content, MEDIA_TYPES[fmt], f"patents-{date.today():%Y%m%d}.{fmt}")


def ensure_index_matches_database(session: Session) -> int:
    """Rebuild the index when it is of an older schema or misses patents; returns how many were indexed.

    Run by ``ipbureau migrate``, so an upgrade brings the index along with the database.
    """
    index = get_index()
    in_database = session.scalar(select(func.count()).select_from(Patent)) or 0
    if not index.discarded_outdated and index.count() == in_database:
        return 0
    indexed = reindex_all(session)
    index.discarded_outdated = False
    return indexed
