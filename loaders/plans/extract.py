"""extract_plan: file -> Plan (organisation, year, targets, tasks), with warnings in Vietnamese."""
from __future__ import annotations

from core.numbers import auto as _num
from core.text import fold
from loaders.plans.header import read_header
from loaders.plans.model import Plan, PlanError, Target
from loaders.plans.reading import read_document
from loaders.plans.targets import find_targets
from loaders.plans.tasks import find_tasks
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
    header = read_header(doc.blocks, registry)
    province_plan = fold(header.issuer or "").startswith(("uy ban nhan dan", "ubnd"))
    tasks, row_texts = find_tasks(doc.blocks, registry, header.year, province_plan)
    targets, unknown = find_targets(doc.blocks, registry, row_texts)
    if "ke hoach" not in fold(doc.text()) and not targets and not tasks:
        raise PlanError(f"tệp “{name or 'tải lên'}” không phải là một kế hoạch: không thấy tiêu đề “Kế hoạch”, "
                        "chỉ tiêu hay nhiệm vụ nào")
    plan = Plan(header.organisation, header.year, targets, tasks, header.organisation_code, header.province,
                unknown, [], name, doc.source)
    w = plan.warnings
    if doc.ocr_pages:
        pages = ", ".join(str(p) for p in doc.ocr_pages)
        w.append(f"Nội dung được nhận dạng từ ảnh (OCR, trang {pages}): hãy soát lại các con số trước khi lưu.")
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
        w.append(f"{len(unknown)} con số giống chỉ tiêu nhưng chưa nhận ra là chỉ số hay chỉ tiêu nào: {listed}.")
    new_units = plan.unknown_units()
    if new_units:
        w.append(f"{len(new_units)} đơn vị chưa có trong danh mục (giữ nguyên như trong kế hoạch, có thể thêm vào "
                 f"danh mục): " + "; ".join(new_units[:8]) + ("…" if len(new_units) > 8 else "") + ".")
    if not targets and not tasks:
        w.append("Không tìm thấy chỉ tiêu hay nhiệm vụ nào trong kế hoạch.")
    return plan


def describe(plan: Plan) -> str:
    """The plan as readable Vietnamese text (command line, previews)."""
    out = [f"Kế hoạch: {plan.organisation or '(chưa rõ cơ quan ban hành)'} — năm {plan.year or '(chưa rõ)'}"]
    if plan.organisation_code:
        out.append(f"Đơn vị trong danh mục: {plan.organisation_code}")
    out.append(f"Đọc từ: {plan.file_name or 'tệp tải lên'} ({plan.source})")
    out.append("")
    out.append(f"CHỈ TIÊU ({len(plan.targets)})")
    for k, t in enumerate(plan.targets, 1):
        kind = "chỉ số" if t.kind == "index" else "chỉ tiêu"
        per = " (cả năm: " + _num(t.annual_value()) + ")" if t.per and t.per != "year" else ""
        out.append(f"  {k}. [{kind} {t.code}] {_target_phrase(t)}{per}")
        out.append(f"     “{t.text}”")
    if plan.unrecognised:
        out.append(f"  Chưa nhận ra ({len(plan.unrecognised)}): "
                   + "; ".join(f"{_target_phrase(t)} — “{t.text[:70]}”" for t in plan.unrecognised))
    out.append("")
    out.append(f"NHIỆM VỤ ({len(plan.tasks)})")
    for k, t in enumerate(plan.tasks, 1):
        lead = (t.lead.text + ("" if t.lead.known else " (chưa có trong danh mục)")) if t.lead else "(không ghi)"
        partners = "; ".join(p.text + ("" if p.known else "*") for p in t.partners) or "(không ghi)"
        out.append(f"  {k}. {t.content}")
        out.append(f"     Chủ trì: {lead}")
        out.append(f"     Phối hợp: {partners}")
        out.append(f"     Thời gian: {t.when}  [{t.schedule.label}]")
    if plan.warnings:
        out.append("")
        out.append("LƯU Ý")
        out += [f"  - {w}" for w in plan.warnings]
    return "\n".join(out)
