"""extract_plan: file -> Plan (organisation, year, targets, tasks), with warnings in Vietnamese."""
from __future__ import annotations

from core.numbers import auto as _num
from core.periods import ROMAN_OF, quarters_label
from core.text import fold
from loaders.plans.header import read_header
from loaders.plans.model import Plan, PlanError, Target
from loaders.plans.reading import read_document
from loaders.plans.targets import find_targets
from loaders.plans.tasks import find_tasks
from loaders.plans.units import Resolver
from loaders.plans.vocab import looks_ocr, names_vocabulary, repair_blocks
from loaders.registry.registries import Registry


def _target_phrase(t: Target) -> str:
    return f"{_num(t.value)}{'' if t.unit == '%' else ' '}{t.unit}".strip()


def extract_plan(source, file_name: str | None = None, registry: Registry | None = None) -> Plan:
    """Read a plan (.docx, .pdf, image, .txt; a path or the file's bytes) and extract what it commits to.

    Raises PlanError when the file is missing, unreadable or not a plan.
    """
    registry = registry or Registry.from_data_dir()
    doc = read_document(source, file_name)
    name = doc.file_name
    if not any(b.text.strip() for b in doc.blocks):
        raise PlanError(f"không tìm thấy chữ nào trong tệp “{name or 'tải lên'}”"
                        + (" (kể cả sau khi nhận dạng chữ)" if doc.ocr_pages else ""))
    repaired = 0
    if doc.ocr_pages or looks_ocr(doc.text()):
        repaired = repair_blocks(doc.blocks, *names_vocabulary(registry))
    header = read_header(doc.blocks, registry)
    issuer = fold(header.issuer or "")
    province_plan = issuer.startswith(("uy ban nhan dan tinh", "ubnd tinh", "chu tich uy ban nhan dan tinh",
                                       "chu tich ubnd tinh")) or issuer in ("uy ban nhan dan", "ubnd")
    resolver = Resolver(registry, header.issuer, header.organisation_code, province_plan)
    tasks, row_texts = find_tasks(doc.blocks, resolver, header.year)
    targets, unknown = find_targets(doc.blocks, registry, row_texts)
    if "ke hoach" not in fold(doc.text()) and not targets and not tasks:
        raise PlanError(f"tệp “{name or 'tải lên'}” không phải là một kế hoạch: không thấy tiêu đề “Kế hoạch”, "
                        "chỉ tiêu hay nhiệm vụ nào")
    plan = Plan(header.organisation, header.year, targets, tasks, header.organisation_code, header.province,
                unknown, [], name, doc.source, header.number, header.symbol, header.issued, header.not_before,
                header.year, header.year_end, "province" if province_plan else "unit", header.kind,
                issuer=header.issuer)
    w = plan.warnings
    if doc.ocr_pages:
        pages = ", ".join(str(p) for p in doc.ocr_pages)
        w.append(f"Nội dung được nhận dạng từ ảnh (OCR, trang {pages}): hãy soát lại các con số trước khi lưu.")
    if repaired:
        w.append(f"Văn bản có nhiều chữ bị đọc sai (bản nhận dạng chữ): {repaired} đoạn đã được sửa theo từ điển để "
                 "nhận ra đơn vị, chỉ tiêu và thời gian; câu gốc được giữ nguyên bên cạnh.")
    if header.year is None:
        w.append("Không xác định được năm của kế hoạch (cần dòng tiêu đề dạng “… năm 2025”).")
    if not header.issuer:
        w.append("Không xác định được cơ quan ban hành kế hoạch.")
    elif header.organisation_code is None:
        w.append(f"Cơ quan ban hành “{header.issuer}” chưa có trong danh mục đơn vị: chỉ tiêu của kế hoạch "
                 "chưa gắn được cho đơn vị nào (chọn đơn vị khi lưu, hoặc thêm vào danh mục).")
    for t in targets:
        if t.note:
            w.append(t.note)
    if unknown:
        listed = "; ".join(f"{_target_phrase(t)} (“{t.text[:80]}”)" for t in unknown[:5])
        w.append(f"{len(unknown)} con số giống chỉ tiêu nhưng chưa gắn được với chỉ số hay chỉ tiêu nào (được giữ lại "
                 f"để soát: gắn vào một chỉ tiêu, thêm chỉ tiêu mới, hoặc bỏ): {listed}.")
    new_units = plan.unknown_units()
    if new_units:
        w.append(f"{len(new_units)} đơn vị chưa có trong danh mục (giữ nguyên như trong kế hoạch, có thể thêm vào "
                 f"danh mục): " + "; ".join(new_units[:8]) + ("…" if len(new_units) > 8 else "") + ".")
    if not targets and not tasks:
        w.append("Không tìm thấy chỉ tiêu hay nhiệm vụ nào trong kế hoạch.")
    return plan


def _unit_label(u) -> str:
    """A lead or partner as written, with the registry's name restored beside it, and what it is."""
    if u.kind == "group":
        return f"{u.label} [nhóm đơn vị]"
    if u.kind == "own_office":
        return f"{u.text} [văn phòng của cơ quan ban hành]"
    if u.kind == "issuer":
        return f"{u.text} [cơ quan ban hành]" if fold(u.text) == fold(u.name or "") else f"{u.label} [cơ quan ban hành]"
    if u.kind == "unknown":
        return f"{u.text} (chưa có trong danh mục)"
    return u.label


def describe(plan: Plan) -> str:
    """The plan as readable Vietnamese text (command line, previews)."""
    period = f"năm {plan.year}" if plan.year_end in (None, plan.year) else f"giai đoạn {plan.year}–{plan.year_end}"
    what = {"quyet_dinh": "Quyết định", "chi_thi": "Chỉ thị"}.get(plan.kind, "Kế hoạch")
    out = [f"{what}: {plan.organisation or '(chưa rõ cơ quan ban hành)'} — "
           f"{period if plan.year else 'năm (chưa rõ)'}",
           f"Văn bản: {plan.reference}" + (f" (ban hành sau ngày {plan.not_before:%d/%m/%Y}, theo văn bản căn cứ)"
                                          if plan.not_before and not plan.issued else "")]
    if plan.scope == "province":
        out.append("Phạm vi: toàn tỉnh (chỉ tiêu áp dụng cho mọi đơn vị trong danh mục)")
    if plan.organisation_code:
        out.append(f"Đơn vị trong danh mục: {plan.organisation_code}")
    if plan.first_quarter() > 1:
        out.append(f"Chỉ tiêu và nhiệm vụ tính từ Quý {ROMAN_OF[plan.first_quarter()]}/{plan.year} "
                   "(kế hoạch ban hành giữa năm)")
    out.append(f"Đọc từ: {plan.file_name or 'tệp tải lên'} ({plan.source})")
    out.append("")
    out.append(f"CHỈ TIÊU ({len(plan.targets)})")
    for k, t in enumerate(plan.targets, 1):
        kind = "chỉ số" if t.kind == "index" else "chỉ tiêu"
        part = bool(t.quarters) and tuple(t.quarters) != (1, 2, 3, 4)
        per = " (cả năm: " + _num(t.annual_value()) + ")" if t.per and t.per != "year" and not part else ""
        year = (f", {quarters_label(t.quarters)}" if part else "") + (
            f", năm {t.year}" if t.year and t.year != plan.year else "")
        out.append(f"  {k}. [{kind} {t.code}] {_target_phrase(t)}{per}{year}")
        out.append(f"     “{t.text}”")
    if plan.unrecognised:
        out.append(f"  Chưa gắn chỉ tiêu, giữ lại để soát ({len(plan.unrecognised)}): "
                   + "; ".join(f"{_target_phrase(t)} — “{t.text[:70]}”" for t in plan.unrecognised))
    out.append("")
    out.append(f"NHIỆM VỤ ({len(plan.tasks)})")
    for k, t in enumerate(plan.tasks, 1):
        leads = "; ".join(_unit_label(u) for u in t.leads) or "(không ghi)"
        partners = "; ".join(p.text + ("*" if p.kind == "unknown" else "") for p in t.partners) or "(không ghi)"
        out.append(f"  {k}. {t.content}" + (f"  [mục {t.path}]" if t.path else ""))
        out.append(f"     Chủ trì: {leads}")
        out.append(f"     Phối hợp: {partners}")
        out.append(f"     Thời gian: {t.when}  [{t.schedule.label}]")
    if plan.warnings:
        out.append("")
        out.append("LƯU Ý")
        out += [f"  - {w}" for w in plan.warnings]
    return "\n".join(out)
