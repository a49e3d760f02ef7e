"""What changed between two versions of a report: figures line by line, narrative line by line.

Stored with the version (keys, not labels), so the page shows the change in
the reader's language and nothing depends on recomputing the old version.
"""

import difflib

from django.utils.translation import gettext_lazy as _

SCALARS = [
    ("received", _("Vụ việc tiếp nhận trong kỳ")),
    ("resolved_in_period", _("Vụ việc giải quyết xong trong kỳ")),
    ("on_time.rate", _("Tỷ lệ giải quyết đúng hạn")),
    ("on_time.on_time", _("Giải quyết đúng hạn")),
    ("on_time.late", _("Giải quyết trễ hạn")),
    ("on_time.open_overdue", _("Đang quá hạn")),
    ("overdue.count", _("Vụ việc quá hạn")),
    ("escalations.count", _("Lượt chuyển cấp trên")),
    ("reopened", _("Lượt mở lại")),
    ("pending_decision.count", _("Vụ việc chờ lãnh đạo quyết định mở lại")),
]
# Figures added after the first reports were sent, with the value an older version stands for.
ADDED_LATER = {"pending_decision.count": 0}
GROUPS = [
    ("by_topic", _("Theo lĩnh vực")),
    ("by_status", _("Theo trạng thái")),
    ("by_locality", _("Theo địa bàn")),
    ("by_channel", _("Theo kênh tiếp nhận")),
]
LABELS = dict(SCALARS + GROUPS)


def figure_value(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _scalar(figures: dict, key: str):
    value = figure_value(figures, key)
    return ADDED_LATER[key] if value is None and key in ADDED_LATER else value


def figures_diff(old: dict, new: dict) -> list[dict]:
    """[{key, code, name, old, new}] for every figure that differs."""
    rows = []
    for key, _label in SCALARS:
        before, after = _scalar(old, key), _scalar(new, key)
        if before != after:
            rows.append({"key": key, "code": "", "name": "", "old": before, "new": after})
    for key, _label in GROUPS:
        before = {row["code"]: row for row in old.get(key, [])}
        after = {row["code"]: row for row in new.get(key, [])}
        for code in sorted(set(before) | set(after)):
            n_before = before.get(code, {}).get("n", 0)
            n_after = after.get(code, {}).get("n", 0)
            if n_before != n_after:
                name = (after.get(code) or before.get(code))["name"]
                rows.append({"key": key, "code": code, "name": name, "old": n_before, "new": n_after})
    return rows


def narrative_diff(old: str, new: str) -> list[list[str]]:
    """[[op, line]] with op "-" (removed), "+" (added) or " " (kept)."""
    lines = difflib.ndiff((old or "").splitlines(), (new or "").splitlines())
    return [[line[0], line[2:]] for line in lines if line[:1] in ("-", "+", " ")]


def version_diff(old_figures: dict, new_figures: dict, old_narrative: str, new_narrative: str) -> dict:
    return {
        "figures": figures_diff(old_figures, new_figures),
        "narrative": narrative_diff(old_narrative, new_narrative),
        "narrative_changed": (old_narrative or "").strip() != (new_narrative or "").strip(),
    }
