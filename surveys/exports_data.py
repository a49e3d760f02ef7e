"""The cleaned data of a survey as files (CSV, XLSX, SPSS .sav) with its codebook, and a published results
report's tables as CSV or XLSX.

Microdata come from surveys.dataset (excluded answers left out, corrections applied, open answers' codes as
variables): one row per answer, numbered 1…n in the order the answers arrived. What a row never carries: the
answer's id (a row number stands in for it), when it was received or collected, how long it took, the channel,
and nothing of the follow-up contacts (FollowUpContact is not read here at all). The weight is the newest
WeightingRun's, the stratum the categories the answer was counted into.

A multiple-choice question (and the codes of an open question) gives one 0/1 column per choice, `q__choice`;
blank when the question was not asked. Single-choice answers keep their codes: numbers when every code is a
whole number (a Likert scale), text otherwise; the labels go into the codebook and the .sav's value labels.

The tables export reads only the frozen `tables` of a SurveyResults, where small cells are already suppressed:
a suppressed cell is written "x" with a footnote, never its number.
"""

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .dataset import dataset_rows, dataset_variables, excluded_answer_ids
from .models import AnswerCorrection, SurveyPlan, SurveyResults
from .questionnaire import type_labels

SPSS_NAME = re.compile(r"[^A-Za-z0-9_]")
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
SUPPRESSED = "x"
BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Column:
    name: str
    label: str
    kind: str  # "number", "text" or "date": the column's storage
    type: str  # the question's type (surveys.dataset.Variable.type), or "row", "stratum", "weight"
    value_labels: dict = field(default_factory=dict)
    measure: str = "nominal"  # SPSS: nominal, ordinal, scale
    question: str = ""  # the variable it comes from
    bank: str = ""


@dataclass
class Microdata:
    columns: list[Column]
    rows: list[dict]
    notes: list[str]


def _spss_name(raw: str, taken: set[str]) -> str:
    """A name SPSS accepts (letters, digits, _; a letter first; 64 bytes; not a reserved word), unique."""
    name = SPSS_NAME.sub("_", raw)
    if not name[:1].isalpha() or name.upper() in SPSS_RESERVED:
        name = "v" + name
    name, base, n = name[:64], name[:60], 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name.lower())
    return name


def _whole_codes(choices) -> bool:
    return bool(choices) and all(re.fullmatch(r"-?\d{1,9}", code) for code, _label in choices)


def _weights(plan: SurveyPlan) -> tuple[dict, object]:
    run = plan.weighting_runs.order_by("-created_at", "-pk").first()
    return (dict(run.weights) if run else {}), run


def microdata(*, plan: SurveyPlan) -> Microdata:
    """The plan's cleaned answers as columns and rows, with the notes the codebook carries."""
    taken: set[str] = set()
    columns = [Column(name=_spss_name("row", taken), label=_("Số thứ tự dòng"), kind="number", type="row",
                      measure="scale")]
    makers = []  # (column, function of the respondent's values → the cell)
    for variable in dataset_variables(plan=plan):
        common = {"question": variable.source or variable.name, "bank": variable.bank or ""}
        if variable.is_multiple:
            for code, choice_label in variable.choices:
                column = Column(name=_spss_name(f"{variable.name}__{code}", taken), kind="number", type=variable.type,
                                label=f"{variable.label}: {choice_label}"[:250], measure="nominal",
                                value_labels={0: _("Không chọn"), 1: _("Có chọn")}, **common)
                # Asked: the question answered (for codes: the open question answered, coded or not).
                asked = variable.source or variable.name
                makers.append((column, lambda v, n=variable.name, c=code, a=asked:
                               None if a not in v else int(c in (v.get(n) or []))))
        elif variable.is_categorical:
            whole = _whole_codes(variable.choices)
            labels = {(int(code) if whole else code): label for code, label in variable.choices}
            column = Column(name=_spss_name(variable.name, taken), label=variable.label[:250], type=variable.type,
                            kind="number" if whole else "text", value_labels=labels,
                            measure="ordinal" if variable.type in ("likert", "matrix") else "nominal", **common)
            makers.append((column, lambda v, n=variable.name, w=whole: _code(v.get(n), w)))
        else:
            kind = {"integer": "number", "decimal": "number", "date": "date"}.get(variable.type, "text")
            column = Column(name=_spss_name(variable.name, taken), label=variable.label[:250], type=variable.type,
                            kind=kind, measure="scale" if kind == "number" else "nominal", **common)
            makers.append((column, lambda v, n=variable.name, k=kind: _plain(v.get(n), k)))
    columns += [column for column, _maker in makers]
    strata = list(plan.strata_variables)
    stratum = Column(name=_spss_name("stratum", taken), kind="text", type="stratum",
                     label=(_("Tầng: %(vars)s") % {"vars": " | ".join(strata)})[:250])
    columns.append(stratum)
    weights, run = _weights(plan)
    weight = None
    if run is not None:
        weight = Column(name=_spss_name("weight", taken), label=_("Trọng số (hậu phân tầng)"), kind="number",
                        type="weight", measure="scale")
        columns.append(weight)
    rows = []
    for number, respondent in enumerate(dataset_rows(plan=plan), start=1):
        row = {columns[0].name: number}
        for column, maker in makers:
            row[column.name] = maker(respondent.values)
        row[stratum.name] = " | ".join(str(respondent.stratum.get(v, "")) for v in strata) if strata else ""
        if weight is not None:
            row[weight.name] = weights.get(str(respondent.answer_id))
        rows.append(row)
    return Microdata(columns=columns, rows=rows, notes=_notes(plan, run, len(rows), weight))


def _code(value, whole: bool):
    if value is None or value == "":
        return None
    return int(value) if whole else str(value)


def _plain(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "number":
        return value if isinstance(value, int | float) else float(value)
    if kind == "date":
        return date.fromisoformat(str(value))
    return str(value)


def _notes(plan: SurveyPlan, run, kept: int, weight: Column | None) -> list[str]:
    excluded = excluded_answer_ids(plan=plan)
    corrected = (AnswerCorrection.objects.filter(answer__plan=plan).exclude(answer_id__in=excluded)
                 .values("answer_id").distinct().count())
    notes = [
        _("Cuộc điều tra: %(topic)s (%(unit)s, %(start)s – %(end)s).")
        % {"topic": plan.topic, "unit": plan.unit.name, "start": plan.period_start, "end": plan.period_end},
        _("Mỗi dòng là một phiếu trả lời đã làm sạch (%(n)s phiếu); cột row là số thứ tự dòng, không phải mã phiếu.")
        % {"n": kept},
        _("Phiếu bị loại khi làm sạch không có trong tệp: %(n)s phiếu.") % {"n": len(excluded)},
        _("Các hiệu chỉnh đã ghi nhận được áp dụng theo thứ tự: %(n)s phiếu có hiệu chỉnh.") % {"n": corrected},
        _("Câu nhiều lựa chọn: mỗi lựa chọn một cột câu__lựa_chọn (1: có chọn, 0: không chọn, trống: câu không được "
          "hỏi). Câu trả lời mở đã mã hóa: các cột câu__codes__mã (1: có mã này, 0: có trả lời nhưng không có mã "
          "này, trống: câu không được trả lời)."),
        _("Câu một lựa chọn giữ mã của lựa chọn; nhãn của từng mã ở từ điển biến và trong nhãn giá trị của tệp .sav."),
    ]
    if weight is not None:
        notes.append(_("Trọng số: cột %(name)s, lượt gia quyền lúc %(at)s (hệ số thiết kế %(deff).2f); trống với "
                       "phiếu không có trong lượt gia quyền đó.")
                     % {"name": weight.name, "at": run.created_at.strftime("%d/%m/%Y %H:%M"), "deff": run.design_effect})
    else:
        notes.append(_("Chưa gia quyền: tệp không có cột trọng số."))
    notes.append(_("Không có trong tệp: thông tin liên hệ lại người trả lời, mã phiếu, thời điểm nhận hoặc thu thập, "
                   "kênh thu thập, thời gian trả lời."))
    return notes


# --- codebook ---------------------------------------------------------------------------------------


def _codebook_header() -> list[str]:
    return [_("Tên biến"), _("Nhãn biến"), _("Loại"), _("Nhãn giá trị"), _("Câu hỏi gốc"), _("Mã ngân hàng câu hỏi")]


def _type_label(column: Column) -> str:
    extra = {"row": _("Số thứ tự"), "stratum": _("Tầng"), "weight": _("Trọng số"), "coded": _("Mã câu trả lời mở")}
    return str(extra.get(column.type) or type_labels().get(column.type, column.type))


def codebook_rows(data: Microdata) -> list[list[str]]:
    return [[c.name, c.label, _type_label(c), "; ".join(f"{code} = {label}" for code, label in c.value_labels.items()),
             c.question, c.bank] for c in data.columns]


# --- files -------------------------------------------------------------------------------------------


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return (BOM + out.getvalue()).encode("utf-8")


def _cell(value):
    return "" if value is None else value.isoformat() if isinstance(value, date) else value


def data_csv(data: Microdata) -> bytes:
    """The microdata as CSV, UTF-8 with a byte-order mark (Excel reads the Vietnamese letters)."""
    names = [c.name for c in data.columns]
    return _csv([names] + [[_cell(row[name]) for name in names] for row in data.rows])


def codebook_csv(data: Microdata) -> bytes:
    return _csv([_codebook_header()] + codebook_rows(data) + [[]] + [[_("Ghi chú"), note] for note in data.notes])


def _sheet(workbook, title: str, rows, *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cell in sheet[1] if sheet.max_row else []:
        cell.font = Font(bold=True)
    return sheet


def _xlsx(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def data_xlsx(data: Microdata) -> bytes:
    """Sheets: the data (names on the first row), the codebook, the notes."""
    workbook = Workbook()
    names = [c.name for c in data.columns]
    _sheet(workbook, _("Dữ liệu"), [names] + [[row[name] for name in names] for row in data.rows], first=True)
    _sheet(workbook, _("Từ điển biến"), [_codebook_header()] + codebook_rows(data))
    _sheet(workbook, _("Ghi chú"), [[_("Ghi chú")]] + [[note] for note in data.notes])
    return _xlsx(workbook)


def _bytes_cut(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def _document_lines(notes: list[str]) -> list[str]:
    """The notes as SPSS document lines (80 bytes each at most), broken between words."""
    lines = []
    for note in notes:
        line = ""
        for word in note.split():
            candidate = f"{line} {word}" if line else word
            if len(candidate.encode("utf-8")) <= 80:
                line = candidate
            else:
                lines.append(line or _bytes_cut(word, 80))
                line = word if line else ""
        if line:
            lines.append(_bytes_cut(line, 80))
    return lines


def data_sav(data: Microdata, *, title: str) -> bytes:
    """The microdata as an SPSS .sav with variable labels, value labels, measures and the notes as documents."""
    import polars
    import pyreadstat

    dtypes = {"number": polars.Float64, "date": polars.Date, "text": polars.Utf8}
    frame = polars.DataFrame([polars.Series(c.name, [row[c.name] for row in data.rows], dtype=dtypes[c.kind])
                              for c in data.columns])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.sav")
        pyreadstat.write_sav(frame, path, file_label=_bytes_cut(title, 64), note=_document_lines(data.notes),
                             column_labels={c.name: c.label for c in data.columns},
                             variable_value_labels={c.name: c.value_labels for c in data.columns if c.value_labels},
                             variable_measure={c.name: c.measure for c in data.columns})
        with open(path, "rb") as file:
            return file.read()


# --- a published results report's tables -------------------------------------------------------------


def _shown(value, suppressed: bool, digits: int | None = None):
    if suppressed or value is None:
        return SUPPRESSED
    return round(value, digits) if digits is not None else value


def _frequency_rows(table: dict) -> list[list]:
    rows = [[table.get("label") or table.get("question")],
            [_("Mã"), _("Phương án"), _("Số phiếu"), _("Tỷ lệ (%)"), _("KTC 95%: cận dưới"), _("KTC 95%: cận trên")]]
    for row in table.get("rows", []):
        hidden = bool(row.get("suppressed"))
        ci = row.get("ci") or [None, None]
        rows.append([row.get("code"), row.get("label"), _shown(row.get("n"), hidden),
                     _shown(row.get("pct"), hidden, 1), _shown(ci[0], hidden or ci[0] is None, 1),
                     _shown(ci[1], hidden or ci[1] is None, 1)])
    rows.append([_("Tổng số phiếu"), "", table.get("n")])
    if table.get("weighted"):
        rows.append([_("Tỷ lệ có trọng số; số phiếu là số phiếu thực tế (không trọng số).")])
    return rows


def _crosstab_rows(table: dict) -> list[list]:
    columns = table.get("column_categories", [])
    header = [f"{table.get('row_label')} \\ {table.get('column_label')}"]
    for category in columns:
        header += [f"{category.get('label')}: {_('số phiếu')}", f"{category.get('label')}: %"]
    rows = [[f"{table.get('row_label')} × {table.get('column_label')}"], header + [_("Tổng số phiếu")]]
    totals, cells = table.get("row_totals") or [], table.get("cells") or []
    for index, category in enumerate(table.get("row_categories", [])):
        line = [category.get("label")]
        for cell in cells[index] if index < len(cells) else []:
            hidden = bool(cell.get("suppressed"))
            line += [_shown(cell.get("n"), hidden), _shown(cell.get("pct"), hidden, 1)]
        total = totals[index] if index < len(totals) else None
        rows.append(line + [_shown(total, total is None)])
    line = [_("Tổng số phiếu")]
    for total in table.get("column_totals") or []:
        line += [_shown(total, total is None), ""]
    rows.append(line + [table.get("n")])
    if test := table.get("rao_scott"):
        rows.append([_("Kiểm định khi bình phương hiệu chỉnh Rao–Scott: F = %(f).3f; bậc tự do %(df1).2f và "
                       "%(df2).2f; p = %(p).4f") % test])
    return rows


def results_table_rows(results: SurveyResults) -> list[list]:
    """Every table of a published report, one after another, with the suppression footnote at the end."""
    rows: list[list] = [[results.title], [_("Đơn vị: %(unit)s") % {"unit": results.plan.unit.name}]]
    if results.published_at:
        rows.append([_("Công bố lúc: %(at)s") % {"at": results.published_at.strftime("%d/%m/%Y")}])
    for table in results.tables or []:
        rows.append([])
        rows += _crosstab_rows(table) if table.get("kind") == "crosstab" else _frequency_rows(table)
    rows += [[], [_("x: ô bị che vì có dưới 5 câu trả lời, hoặc che bổ sung để không suy ra được ô đó từ tổng của "
                    "dòng và cột.")]]
    return rows


def results_csv(results: SurveyResults) -> bytes:
    return _csv(results_table_rows(results))


def results_xlsx(results: SurveyResults) -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook, _("Bảng kết quả"), results_table_rows(results), first=True)
    sheet["A1"].font = Font(bold=True, size=13)
    return _xlsx(workbook)
