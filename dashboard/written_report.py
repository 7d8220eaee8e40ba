"""The written report of a period, drafted from the data: what it says, before any layout (dashboard.report_docx
lays it out in the agency's template).

Every sentence states facts read from the views: reports received, completion, each indicator's result against
its plan, the plan's tasks done, late and due next, the units and indicators below target. What only the clerk can
write (causes, solutions, the signer's name) is left as a marked note to replace (`Note`). Figures are the
period's values (dashboard.period_queries: exact values, never a split of a cumulative figure), summed over the
units for counts and averaged for rates.

    report = draft(con, "2025-Q3", unit=None, today=dt.date(2025, 10, 7))
    report.table        -> IndicatorRow per indicator with a plan or a result (plan for the year, result in the
                           period, cumulative result, % of the year's plan)
    report.results, .tasks_done, .tasks_late, .shortfalls, .next_steps -> lists of paragraphs (str or Note)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core import rules
from core.periods import Period, cadence_of
from core.text import fold
from dashboard import deck_data, fmt, period_queries as P, plan_queries as PQ, queries as Q, reporting as R, theme

SUBJECT = "công tác thông tin, tuyên truyền cải cách hành chính"
SAMPLE_MARK = "DỮ LIỆU MẪU — số liệu minh họa, không phải số liệu thật"


class ReportError(ValueError):
    """A report that cannot be drafted (a period with no data); the message is Vietnamese."""


class UnknownUnit(ReportError):
    """A unit code the registry does not have."""


@dataclass(frozen=True)
class Note:
    """A part only the clerk can write: shown marked, to be replaced."""

    text: str


@dataclass
class IndicatorRow:
    no: int
    code: str
    name: str
    unit: str  # unit of measure ('tin/bài', '%')
    kind: str
    plan: float | None  # for the year (a rate: its target)
    result: float | None  # in the period
    cumulative: float | None  # from January to the period's end
    percent: float | None  # of the year's plan (a rate: result / target), as a ratio


@dataclass
class Letterhead:
    parent: str  # 'UBND TỈNH ĐẮK LẮK' ('' for a body without a parent on its letterhead)
    issuer: str  # 'SỞ TƯ PHÁP'
    issuer_name: str  # 'Sở Tư pháp', as sentences write it
    symbol: str  # 'STP' in 'Số: …/BC-STP'
    place_date: str  # 'Đắk Lắk, ngày 07 tháng 10 năm 2025'
    title: str  # the summary under 'BÁO CÁO'
    recipient: str | None  # 'Kính gửi: …' where set
    recipients: list[str]  # Nơi nhận
    authority: str  # 'TM. ỦY BAN NHÂN DÂN', '' for a head who signs in their own name
    signer_title: str  # 'GIÁM ĐỐC'
    signer: str | Note


@dataclass
class WrittenReport:
    period: Period
    unit_code: str | None
    scope: str  # 'toàn tỉnh' or the unit's name
    head: Letterhead
    sample: bool
    opening: list = field(default_factory=list)
    results: list = field(default_factory=list)
    table: list[IndicatorRow] = field(default_factory=list)
    tasks_done: list = field(default_factory=list)
    tasks_late: list = field(default_factory=list)
    tasks_next: list = field(default_factory=list)
    shortfalls: list = field(default_factory=list)
    next_steps: list = field(default_factory=list)

    @property
    def table_title(self) -> str:
        return f"Bảng 1. Kết quả thực hiện các chỉ tiêu {self.period.phrase}"

    @property
    def result_head(self) -> str:
        """The head of the table's result column: 'Kết quả quý III', 'Kết quả 6 tháng đầu năm'."""
        return f"Kết quả {self.period.short_label[0].lower()}{self.period.short_label[1:]}"

    def sentences(self) -> list[str]:
        """Every sentence the report states from the data, in order (tests, previews)."""
        parts = self.opening + self.results + self.tasks_done + self.tasks_late + self.shortfalls + self.next_steps
        return [p for p in parts if isinstance(p, str)]  # next_steps holds tasks_next


# --- the letterhead ---------------------------------------------------------------------------------------------

HEAD_TITLES = (  # (the start of the issuer's name, folded; the title of its head)
    ("so ", "GIÁM ĐỐC"), ("van phong", "CHÁNH VĂN PHÒNG"), ("thanh tra", "CHÁNH THANH TRA"),
    ("ban ", "TRƯỞNG BAN"), ("bao ", "TỔNG BIÊN TẬP"), ("phong ", "TRƯỞNG PHÒNG"), ("trung tam", "GIÁM ĐỐC"),
    ("chi cuc", "CHI CỤC TRƯỞNG"),
)
COUNCIL_WORDS = ("ubnd", "uy ban nhan dan")
SMALL_WORDS = {"va", "cac", "cua", "tinh", "thanh", "pho", "huyen", "xa", "phuong"}


def symbol_of(issuer: str) -> str:
    """The issuer's abbreviation in 'Số: …/BC-…': 'Sở Tư pháp' -> 'STP', 'Sở Nông nghiệp và Môi trường' ->
    'SNNMT', 'UBND tỉnh Đắk Lắk' -> 'UBND', 'Văn phòng UBND tỉnh' -> 'VPUBND' (the words before the place)."""
    letters = []
    for word in issuer.replace(",", " ").split():
        f = fold(word)
        if f in ("tinh", "thanh", "huyen", "xa", "phuong") and letters:
            break
        if f in SMALL_WORDS or not f:
            continue
        letters.append(word if word.isupper() and len(word) > 1 else word[0].upper())
    return "".join(letters) or "BC"


def place_date(place: str, day: dt.date) -> str:
    """'Đắk Lắk, ngày 07 tháng 10 năm 2025': days below 10 and the months 1 and 2 take a leading 0 (NĐ 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def letterhead(con, period: Period, unit: dict | None, day: dt.date, organisation: str | None,
               recipient: str | None) -> Letterhead:
    place = deck_data.home_name(con)
    if unit is not None:
        issuer = unit["unit_name"]
        parent = unit.get("parent_name") or f"UBND tỉnh {place}"
    else:
        issuer = organisation or deck_data.organisation(con)
        parent = "" if fold(issuer).startswith(COUNCIL_WORDS) else f"UBND tỉnh {place}"
    f = fold(issuer)
    council = f.startswith(COUNCIL_WORDS)
    title = "CHỦ TỊCH" if council else next((t for start, t in HEAD_TITLES if f.startswith(start)),
                                             "THỦ TRƯỞNG ĐƠN VỊ")
    symbol = symbol_of(issuer)
    recipients = (["- Như trên;"] if recipient else []) + [f"- Lưu: VT, {symbol}."]
    return Letterhead(parent.upper(), issuer.upper(), issuer, symbol, place_date(place, day),
                      f"Kết quả {SUBJECT} {period.phrase}", recipient or None, recipients,
                      "TM. ỦY BAN NHÂN DÂN" if council else "", title, Note("Họ và tên người ký"))


# --- the figures ------------------------------------------------------------------------------------------------

def _total(df: pd.DataFrame, col: str, kind: str) -> float | None:
    v = df[col].dropna()
    if v.empty:
        return None
    return float(v.sum()) if kind == "count" else float(v.mean())


def indicator_rows(con, period: Period, units) -> list[IndicatorRow]:
    """One row per indicator with a plan or a result: the year's plan, the period's result, the cumulative result
    from January, and the share of the year's plan reached (a rate: its result against its target)."""
    year = P.period_values(con, Period.whole_year(period.year).code, units)
    now = P.period_values(con, period.code, units)
    cum = now if period.first == 1 else P.period_values(con, period.cumulative.code, units)
    metrics = Q.metrics(con)
    rows, no = [], 0
    for m in metrics.itertuples():
        kind = m.kind
        plan = _total(year[year["metric_code"] == m.metric_code], "target", kind)
        result = _total(now[now["metric_code"] == m.metric_code], "actual", kind)
        cumulative = _total(cum[cum["metric_code"] == m.metric_code], "actual", kind)
        if plan is None and result is None and cumulative is None:
            continue
        reached = cumulative if kind == "count" else result
        no += 1
        rows.append(IndicatorRow(no, m.metric_code, m.metric_name, fmt.text(m.metric_unit), kind, plan, result,
                                 cumulative, rules.completion(reached, plan)))
    return rows


def _amount(x: float | None, unit: str) -> str:
    return f"{fmt.auto(x)} {unit}".strip()


def indicator_sentence(row: IndicatorRow, period: Period, scope: str) -> str | None:
    """'Trong quý, toàn tỉnh thực hiện 1.234 tin/bài “Tin, bài về CCHC…”; lũy kế từ đầu năm 3.456 tin/bài, đạt
    88,1% kế hoạch năm (3.920 tin/bài).' — None when the period has no result."""
    if row.result is None:
        return None
    within = period.within[0].upper() + period.within[1:]
    if row.kind == "rate":
        plan = f" (kế hoạch {fmt.rate(row.plan)})" if row.plan is not None else " (chưa có kế hoạch)"
        reached = f", bằng {fmt.percent(row.percent)} kế hoạch" if row.percent is not None else ""
        return f"“{row.name}” {period.within} đạt {fmt.rate(row.result)}{plan}{reached}."
    did = f"{within}, {scope} thực hiện {_amount(row.result, row.unit)} “{row.name}”"
    if period.first != 1 and row.cumulative is not None:
        did += f"; lũy kế từ đầu năm {_amount(row.cumulative, row.unit)}"
    if row.plan is None or row.percent is None:
        return f"{did} (chưa có kế hoạch năm)."
    return f"{did}, đạt {fmt.percent(row.percent)} kế hoạch năm ({_amount(row.plan, row.unit)})."


# --- the report -------------------------------------------------------------------------------------------------

def _unit(con, code: str) -> dict:
    info = Q.unit_info(con, code)
    if info.empty:
        raise UnknownUnit(f"không có đơn vị mã “{code}” trong danh mục")
    row = info.iloc[0].to_dict()
    parent = con.execute("SELECT p.name FROM unit u JOIN unit p ON p.code = u.parent WHERE u.code = ?",
                         [code]).fetchone()
    row["parent_name"] = parent[0] if parent else None
    return row


def draft(con, code, unit: str | None = None, today: dt.date | None = None, organisation: str | None = None,
          recipient: str | None = None) -> WrittenReport:
    """The report of period `code` for the province (every unit) or one unit; ReportError when nothing was
    reported for it."""
    period = Period.of(code)
    today = today or dt.date.today()
    info = _unit(con, unit) if unit else None
    units = (unit,) if unit else None
    table = indicator_rows(con, period, units)
    if not any(r.result is not None for r in table):
        who = f" của {info['unit_name']}" if info else ""
        raise ReportError(f"chưa có số liệu{who} cho {period.label} — chưa lập được báo cáo")
    scope = "toàn tỉnh" if info is None else "đơn vị"
    report = WrittenReport(period, unit, scope if info is None else info["unit_name"],
                           letterhead(con, period, info, today, organisation, recipient),
                           bool(con.execute("SELECT count(*) FROM batch WHERE is_sample AND status = 'active'")
                                .fetchone()[0]))
    report.table = table
    report.opening = [f"Thực hiện kế hoạch thông tin, tuyên truyền cải cách hành chính năm {period.year}, "
                      f"{report.head.issuer_name} báo cáo kết quả {SUBJECT} {period.phrase} như sau:"]
    report.results = _results(con, report, units, today)
    _tasks(con, report, today)
    report.shortfalls = _shortfalls(con, report, units, today)
    report.next_steps = _next_steps(report)
    return report


def _results(con, report: WrittenReport, units, today: dt.date) -> list:
    period, out = report.period, []
    ranking = P.unit_completion(con, period.code, units)
    if report.unit_code is None:
        missing = R.missing(con, period.code, today) if cadence_of(period) else pd.DataFrame()
        expected = len(ranking) + len(missing)
        if expected:
            out.append(f"Có {fmt.number(len(ranking))}/{fmt.number(expected)} đơn vị gửi báo cáo {period.phrase}.")
        ov = P.overview(con, period.code)
        if len(ov):
            n_dat = int((ranking["status"] == theme.DAT).sum())
            out.append(f"Mức hoàn thành chỉ tiêu chung của các đơn vị {period.within} là "
                       f"{fmt.percent(ov.iloc[0]['completion'])} (bình quân các đơn vị, mỗi chỉ tiêu tính tối đa 100%); "
                       f"{fmt.number(n_dat)}/{fmt.number(len(ranking))} đơn vị đạt chỉ tiêu của kỳ.")
    elif len(ranking):
        row = ranking.iloc[0]
        out.append(f"Mức hoàn thành chỉ tiêu của đơn vị {period.within} là {fmt.percent(row['completion'])} "
                   f"(bình quân các chỉ tiêu, mỗi chỉ tiêu tính tối đa 100%); {fmt.number(row['n_dat'])}/"
                   f"{fmt.number(row['n_indicators'])} chỉ tiêu đạt kế hoạch của kỳ.")
    out += [s for s in (indicator_sentence(r, period, report.scope if report.unit_code is None else "đơn vị")
                        for r in report.table) if s]
    return out


def _task_text(row, due: bool = False) -> str:
    lead = f"chủ trì: {row['lead_name']}" if isinstance(row["lead_name"], str) and row["lead_name"] else ""
    when = f"thời hạn: {row['schedule']}" if due and isinstance(row["schedule"], str) else ""
    late = (f"hạn {fmt.date(row['deadline'])}, quá hạn {fmt.number(row['days_late'])} ngày"
            if not due and not pd.isna(row["days_late"]) else "")
    detail = "; ".join(p for p in (lead, when, late) if p)
    return f"{row['content'].rstrip('.;')}" + (f" ({detail})" if detail else "")


def _tasks(con, report: WrittenReport, today: dt.date) -> None:
    """The plan's tasks: done in the period, late, and due next period (III)."""
    period = report.period
    q = period.last_quarter
    if not PQ.has_tasks(con, q.year):
        report.tasks_done = [Note(f"Chưa có kế hoạch năm {q.year} lưu trong hệ thống (trang Kế hoạch): cán bộ tổng "
                                  "hợp bổ sung kết quả thực hiện các nhiệm vụ.")]
        return
    tasks = PQ.task_table(con, q.year, q.quarter, today)
    if report.unit_code:
        tasks = tasks[tasks["lead_code"] == report.unit_code]
    done = tasks[tasks["status"] == "done"]
    late = PQ.late_tasks(tasks)
    report.tasks_done = ([f"Đã hoàn thành {fmt.number(len(done))}/{fmt.number(len(tasks))} nhiệm vụ của kế hoạch:"]
                         + _items(_task_text(r) for _, r in done.iterrows())) if len(done) else [
        f"Chưa có nhiệm vụ nào của kế hoạch được đánh dấu hoàn thành trong {period.phrase} "
        f"({fmt.number(len(tasks))} nhiệm vụ)."]
    report.tasks_late = ([f"Còn {fmt.number(len(late))} nhiệm vụ chưa hoàn thành, quá hạn:"]
                         + _items(_task_text(r) for _, r in late.iterrows())) if len(late) else [
        "Không có nhiệm vụ nào quá hạn."]
    nxt = period.next()
    ahead = PQ.task_table(con, nxt.last_quarter.year, nxt.last_quarter.quarter, nxt.start)
    if report.unit_code:
        ahead = ahead[ahead["lead_code"] == report.unit_code]
    due = ahead[(ahead["status"] != "done") & (ahead["deadline"].notna())
                & (ahead["deadline"] >= pd.Timestamp(nxt.start)) & (ahead["deadline"] <= pd.Timestamp(nxt.end))]
    report.tasks_next = ([f"Các nhiệm vụ của kế hoạch đến hạn trong {nxt.phrase}:"]
                         + _items(_task_text(r, due=True) for _, r in due.iterrows())) if len(due) else []


def _shortfalls(con, report: WrittenReport, units, today: dt.date) -> list:
    period, out = report.period, []
    if report.unit_code is None:
        ranking = P.unit_completion(con, period.code, units)
        below = ranking[ranking["completion"] < rules.THRESHOLD_DAT]
        if len(below):
            out.append(f"Có {fmt.number(len(below))}/{fmt.number(len(ranking))} đơn vị chưa đạt chỉ tiêu "
                       f"{period.phrase} (mức hoàn thành):")
            out += _items(f"{n}: {fmt.percent(c)}" for n, c in zip(below["unit_name"], below["completion"]))
    summary = P.indicator_summary(con, period.code, units)
    low = summary[summary["completion"] < rules.THRESHOLD_DAT]
    if len(low):
        out.append("Các chỉ tiêu chưa đạt kế hoạch của kỳ (thực hiện/kế hoạch của kỳ):")
        out += _items(
            f"“{r.metric_name}”: {fmt.rate(r.actual) if r.kind == 'rate' else fmt.auto(r.actual)}/"
            f"{fmt.rate(r.target) if r.kind == 'rate' else _amount(r.target, fmt.text(r.metric_unit))}, đạt "
            f"{fmt.percent(r.completion)}" for r in low.itertuples())
    if report.unit_code is None and cadence_of(period):
        missing = R.missing(con, period.code, today)
        late = missing[missing["days_late"] > 0]
        if len(late):
            out.append(f"Còn {fmt.number(len(late))} đơn vị chưa gửi báo cáo {period.phrase}, hạn nộp "
                       f"{fmt.date(late['deadline'].iloc[0])}:")
            out += _items(f"{n}: trễ {fmt.number(d)} ngày" for n, d in zip(late["unit_name"], late["days_late"]))
    if not out:
        out.append("Các chỉ tiêu của kỳ đều đạt kế hoạch.")
    out.append(Note("Nguyên nhân của tồn tại, hạn chế: cán bộ tổng hợp bổ sung."))
    return out


def _items(texts) -> list[str]:
    """Lines of a list as decrees write them: '- …;' and the last '- ….'."""
    texts = list(texts)
    return [f"- {t}{'.' if i == len(texts) - 1 else ';'}" for i, t in enumerate(texts)]


def _next_steps(report: WrittenReport) -> list:
    out = list(report.tasks_next)
    remaining = [r for r in report.table if r.kind == "count" and r.plan and (r.cumulative or 0) < r.plan]
    if remaining and report.period.last < 12:
        out.append(f"Phấn đấu hoàn thành kế hoạch năm {report.period.year}, phần còn phải thực hiện:")
        out += _items(f"“{r.name}”: {_amount(r.plan - (r.cumulative or 0), r.unit)}" for r in remaining)
    out.append(Note("Nhiệm vụ, giải pháp trọng tâm kỳ tới và đề xuất, kiến nghị: cán bộ tổng hợp bổ sung."))
    return out
